import express, {
  type ErrorRequestHandler,
  type Express as ExpressApp,
  type RequestHandler,
  type Response,
} from "express";
import type { Logger } from "pino";

import type { Config } from "./config.js";
import { accessLogLevel, PROBLEM_CONTENT_TYPE, problem, requestId } from "./http.js";
import type { Lifecycle } from "./lifecycle.js";

declare global {
  namespace Express {
    interface Request {
      /** The request ID (see requestId in http.ts). */
      id: string;
      /** The logger of this request: every line carries request_id. */
      log: Logger;
    }
  }
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  lifecycle: Lifecycle;
  /** Adds routes after the built-in ones, before the 404 handler (the tests add one that throws). */
  routes?: (app: ExpressApp) => void;
}

function sendProblem(res: Response, status: number, detail?: string): void {
  res
    .status(status)
    .type(PROBLEM_CONTENT_TYPE)
    .json(problem(status, res.req.id, detail));
}

// Express answers an unrouted method with 404; a route that exists deserves 405 and its methods.
function methodNotAllowed(allow: string): RequestHandler {
  return (req, res) => {
    res.set("Allow", allow);
    sendProblem(res, 405, `${req.method} is not allowed on ${req.path}; allowed: ${allow}`);
  };
}

/** The largest request body a route reads (1 MiB); more is 413. */
const MAX_BODY_BYTES = 1024 * 1024;

// body-parser answers a body over its limit only once the client has sent all of it, so a client that
// declares 2 MiB and sends nothing more holds the request until REQUEST_TIMEOUT. A declared length over
// the limit is refused at once, and the connection closed, since the unread body is still on it.
const refuseLargeBodies: RequestHandler = (req, res, next) => {
  const length = Number(req.headers["content-length"]);
  if (!(length > MAX_BODY_BYTES)) return next();
  res.set("Connection", "close");
  sendProblem(res, 413, `the body is ${length} bytes, more than the ${MAX_BODY_BYTES} allowed`);
};

const requireJson: RequestHandler = (req, res, next) => {
  if (req.is("application/json")) return next();
  sendProblem(res, 415, "Content-Type must be application/json");
};

/** The echo body, checked by hand as strictly as a JSON schema with additionalProperties: false. */
function echoMessage(body: unknown): { message: string } | { error: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { error: "body must be a JSON object" };
  const unknown = Object.keys(body).find((key) => key !== "message");
  if (unknown !== undefined) return { error: `unknown field ${JSON.stringify(unknown)}` };
  const { message } = body as { message?: unknown };
  if (typeof message !== "string") return { error: "message must be a string" };
  if (message.length < 1 || message.length > 280) return { error: "message must be 1 to 280 characters" };
  return { message };
}

export function buildApp({ config, logger, lifecycle, routes }: AppOptions): ExpressApp {
  const app = express();
  app.disable("x-powered-by");

  // Request ID, access log, drain and the request timeout, for every request.
  app.use((req, res, next) => {
    const start = performance.now();
    req.id = requestId(req.headers["x-request-id"]);
    req.log = logger.child({ request_id: req.id });
    res.set("X-Request-Id", req.id);
    if (lifecycle.draining) res.set("Connection", "close");

    const timer = setTimeout(() => {
      if (!res.headersSent) sendProblem(res, 408, `no response within ${config.requestTimeoutMs}ms`);
    }, config.requestTimeoutMs);
    res.on("close", () => {
      clearTimeout(timer);
      // The route pattern, never the URL: a query string may carry secrets.
      const route = req.route?.path ?? "unmatched";
      const status = res.statusCode;
      req.log[accessLogLevel(route, status)](
        { method: req.method, route, status, duration_ms: performance.now() - start },
        "request",
      );
    });
    next();
  });

  app
    .route("/healthz")
    .get((_req, res) => {
      res.json({ status: "ok" });
    })
    .all(methodNotAllowed("GET, HEAD"));

  app
    .route("/readyz")
    .get((_req, res) => {
      if (lifecycle.draining) res.status(503).json({ status: "draining" });
      else res.json({ status: "ready" });
    })
    .all(methodNotAllowed("GET, HEAD"));

  app
    .route("/v1/echo")
    .post(refuseLargeBodies, requireJson, express.json({ limit: MAX_BODY_BYTES, strict: true }), (req, res) => {
      const echo = echoMessage(req.body);
      if ("error" in echo) return sendProblem(res, 400, echo.error);
      res.json({ message: echo.message });
    })
    .all(methodNotAllowed("POST"));

  routes?.(app);

  app.use((req, res) => {
    sendProblem(res, 404, `no route for ${req.method} ${req.path}`);
  });

  const onError: ErrorRequestHandler = (err, req, res, next) => {
    // Too late for a problem body: Express's own handler cuts the connection.
    if (res.headersSent) return next(err);
    // body-parser's errors (invalid JSON 400, too large 413, bad charset 415) carry a status and a safe message.
    const status = Number(err?.status ?? err?.statusCode);
    if (status >= 400 && status < 500) {
      sendProblem(res, status, err.expose ? String(err.message) : undefined);
      return;
    }
    req.log.error({ err }, "unhandled error");
    sendProblem(res, 500);
  };
  app.use(onError);

  return app;
}

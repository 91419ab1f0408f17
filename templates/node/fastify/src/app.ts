import type { JsonSchemaToTsProvider } from "@fastify/type-provider-json-schema-to-ts";
import Fastify, { type FastifyError, type FastifyRequest, LogController } from "fastify";
import type { Logger } from "pino";

import type { Config } from "./config.js";
import { accessLogLevel, onClientError, PROBLEM_CONTENT_TYPE, problem, requestId } from "./http.js";
import type { Lifecycle } from "./lifecycle.js";

const echoSchema = {
  body: {
    type: "object",
    required: ["message"],
    additionalProperties: false,
    properties: {
      message: { type: "string", minLength: 1, maxLength: 280 },
    },
  },
  response: {
    200: {
      type: "object",
      required: ["message"],
      additionalProperties: false,
      properties: {
        message: { type: "string" },
      },
    },
  },
} as const;

export interface AppOptions {
  config: Config;
  logger: Logger;
  lifecycle: Lifecycle;
}

export function buildApp({ config, logger, lifecycle }: AppOptions) {
  const app = Fastify({
    loggerInstance: logger,
    // The onResponse hook below writes one access-log line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "request_id" }),
    // genReqId sees every request and keeps the caller's X-Request-Id only when it is safe.
    requestIdHeader: false,
    genReqId: (req) => requestId(req.headers["x-request-id"]),
    bodyLimit: 1024 * 1024,
    // A handler that has not answered within REQUEST_TIMEOUT gets a 503 (FST_ERR_HANDLER_TIMEOUT).
    handlerTimeout: config.requestTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: 5000,
    http: {
      // A client that sends its headers slowly is cut off: onClientError answers 408 and closes.
      headersTimeout: config.headersTimeoutMs,
      // How often Node checks the timeouts; its 30 s default would let them overrun.
      connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
    },
    // Requests the HTTP parser refuses (too slow, malformed) get a problem too.
    clientErrorHandler: onClientError,
    // Requests that arrive on open connections while closing are answered normally, with Connection: close.
    return503OnClosing: false,
    // Fastify's defaults coerce "123" to 123 and drop unknown keys; a strict API rejects both.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  }).withTypeProvider<JsonSchemaToTsProvider>();

  // Only JSON bodies: text/plain would otherwise be parsed and reach the routes as a string.
  app.removeContentTypeParser("text/plain");

  // Fastify answers an unrouted method with 404; a path that exists deserves 405 and its methods.
  const methods = new Map<string, Set<string>>();
  // The route a 405 was for: Fastify sees no route matched, but the log should name it.
  const deniedRoutes = new WeakMap<FastifyRequest, string>();
  app.addHook("onRoute", (route) => {
    const allowed = methods.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) {
      allowed.add(method);
      if (method === "GET") allowed.add("HEAD");
    }
    methods.set(route.url, allowed);
  });

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (lifecycle.draining) reply.header("connection", "close");
  });

  app.addHook("onResponse", async (request, reply) => {
    // The route pattern, never the URL: a query string may carry secrets.
    const route = request.routeOptions.url ?? deniedRoutes.get(request) ?? "unmatched";
    request.log[accessLogLevel(route, reply.statusCode)](
      { method: request.method, route, status: reply.statusCode, duration_ms: reply.elapsedTime },
      "request",
    );
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?", 1)[0] ?? "/";
    const allowed = methods.get(path);
    if (allowed !== undefined) {
      deniedRoutes.set(request, path);
      const allow = [...allowed].join(", ");
      return reply
        .code(405)
        .header("allow", allow)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem(405, request.id, `${request.method} is not allowed on ${path}; allowed: ${allow}`));
    }
    return reply
      .code(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problem(404, request.id, `no route for ${request.method} ${path}`));
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    let status = error.statusCode ?? 500;
    let detail: string | undefined = error.message;
    if (error.validation) {
      status = 400;
    } else if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      detail = "Content-Type must be application/json";
    } else if (error.code === "FST_ERR_HANDLER_TIMEOUT") {
      status = 503;
      detail = `no response within ${config.requestTimeoutMs}ms`;
    } else if (status < 400 || status >= 500) {
      request.log.error({ err: error }, "unhandled error");
      status = 500;
      detail = undefined;
    }
    return reply
      .code(status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(problem(status, request.id, detail));
  });

  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    if (lifecycle.draining) return reply.code(503).send({ status: "draining" });
    return { status: "ready" };
  });

  app.post("/v1/echo", { schema: echoSchema }, async (request) => ({ message: request.body.message }));

  return app;
}

export type App = ReturnType<typeof buildApp>;

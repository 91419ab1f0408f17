import { STATUS_CODES } from "node:http";

import express, { type ErrorRequestHandler, type Express } from "express";
import type { Logger } from "pino";
import { pinoHttp } from "pino-http";

export interface AppOptions {
  logger: Logger;
}

// Fastify's error shape, so clients of either template see one format.
function errorBody(statusCode: number, message: string) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? "Error", message };
}

export function buildApp({ logger }: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(
    pinoHttp({
      logger,
      // Headers can carry credentials and cookies: keep them out of the logs.
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: req.url, remoteAddress: req.remoteAddress }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(express.json({ limit: "1mb" }));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  app.post("/v1/echo", (req, res) => {
    const message: unknown = req.body?.message;
    if (typeof message !== "string" || message.length < 1 || message.length > 280) {
      res.status(400).json(errorBody(400, "body.message must be a string of 1 to 280 characters"));
      return;
    }
    res.json({ message });
  });

  app.use((req, res) => {
    res.status(404).json(errorBody(404, `Route ${req.method}:${req.path} not found`));
  });

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    // body-parser errors (invalid JSON, body too large) carry a 4xx status and a safe message.
    const status = Number(err?.status ?? err?.statusCode);
    if (status >= 400 && status < 500) {
      res.status(status).json(errorBody(status, err.message));
      return;
    }
    req.log.error({ err }, "unhandled error");
    res.status(500).json(errorBody(500, "Internal Server Error"));
  };
  app.use(onError);

  return app;
}

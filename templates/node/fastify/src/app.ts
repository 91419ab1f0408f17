import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";

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
      properties: {
        message: { type: "string" },
      },
    },
  },
} as const;

interface EchoBody {
  message: string;
}

export function buildApp(options: FastifyServerOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: { level: process.env.LOG_LEVEL ?? "info" },
    // Slow or stalled clients must not hold sockets open indefinitely.
    http: { headersTimeout: 10_000 },
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    keepAliveTimeout: 5_000,
    bodyLimit: 1024 * 1024,
    ...options,
  });

  app.get("/healthz", async () => ({ status: "ok" }));

  app.post<{ Body: EchoBody }>("/v1/echo", { schema: echoSchema }, async (request) => ({
    message: request.body.message,
  }));

  return app;
}

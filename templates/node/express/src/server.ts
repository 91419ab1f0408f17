import { pino } from "pino";

import { buildApp } from "./app.js";

const logger = pino({ level: process.env.LOG_LEVEL ?? "info" });
const port = Number(process.env.PORT ?? 8080);

const server = buildApp({ logger }).listen(port, "0.0.0.0", (err) => {
  if (err) {
    logger.error(err, "failed to start");
    process.exit(1);
  }
  logger.info({ port }, "server listening");
});
// Slow or stalled clients must not hold sockets open indefinitely.
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;
server.timeout = 30_000;
server.keepAliveTimeout = 5_000;

function shutdown(signal: NodeJS.Signals): void {
  logger.info({ signal }, "shutting down");
  // Never hang on a stuck connection: the orchestrator would SIGKILL us anyway.
  setTimeout(() => process.exit(1), 10_000).unref();
  // Stops accepting connections, closes idle keep-alive ones and waits for in-flight requests.
  server.close((err) => {
    if (err) {
      logger.error(err, "shutdown failed");
      process.exit(1);
    }
    process.exit(0);
  });
}

process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);

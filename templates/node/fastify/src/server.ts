import { buildApp } from "./app.js";

const app = buildApp();
const port = Number(process.env.PORT ?? 8080);

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  app.log.info({ signal }, "shutting down");
  // Never hang on a stuck connection: the orchestrator would SIGKILL us anyway.
  setTimeout(() => process.exit(1), 10_000).unref();
  try {
    // Stops accepting connections and waits for in-flight requests.
    await app.close();
    process.exit(0);
  } catch (err) {
    app.log.error(err, "shutdown failed");
    process.exit(1);
  }
}

process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);

try {
  await app.listen({ host: "0.0.0.0", port });
} catch (err) {
  app.log.error(err, "failed to start");
  process.exit(1);
}

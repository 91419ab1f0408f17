// Entry point: reads the config, starts the service and turns signals into
// a graceful shutdown. Exit codes: 0 drained, 1 requests cut off (or a
// second signal, or a failed start), 2 bad config.
import { pino } from "pino";

import { type Config, ConfigError, loadConfig } from "./config.js";
import type { Service } from "./lifecycle.js";
import { start } from "./start.js";

function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`config: ${err.message}\n`);
    process.exit(2);
  }
}

const config = configOrExit();
const logger = pino({ level: config.logLevel });

function shutdown(service: Service, signal: NodeJS.Signals): void {
  service.shutdown(signal).then(
    (drained) => process.exit(drained ? 0 : 1),
    (err: unknown) => {
      logger.error({ err }, "shutdown failed");
      process.exit(1);
    },
  );
}

// The handlers are in place before the server listens: a signal that
// arrives once "server listening" is logged but before start() returns
// still drains, instead of killing the process.
let service: Service | undefined;
let stopping: NodeJS.Signals | undefined;
function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    logger.warn({ signal }, "second signal during shutdown, exiting now");
    process.exit(1);
  }
  stopping = signal;
  if (service) shutdown(service, signal);
}
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);

try {
  service = await start(config, logger);
} catch (err) {
  logger.fatal({ err }, "failed to start");
  process.exit(1);
}
// A signal during start: shut down now that there is a service.
if (stopping) shutdown(service, stopping);

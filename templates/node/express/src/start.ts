import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import type { Logger } from "pino";

import { buildApp } from "./app.js";
import type { Config } from "./config.js";
import { onClientError } from "./http.js";
import { type Service, shutdown, trackConnections } from "./lifecycle.js";

/** Listens on config.host and config.port; the returned service shuts down on request. */
export async function start(config: Config, logger: Logger): Promise<Service> {
  const lifecycle = { draining: false };
  const app = buildApp({ config, logger, lifecycle });
  const server = createServer(
    {
      // A client that sends its headers slowly is cut off: onClientError answers 408 and closes.
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // How often Node checks the two timeouts above; its 30 s default would let them overrun.
      connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
    },
    app,
  );
  server.keepAliveTimeout = 5000;
  server.on("clientError", onClientError);
  const connections = trackConnections(server);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info({ address: address.address, port: address.port }, "server listening");

  return {
    address,
    lifecycle,
    shutdown: (signal) =>
      shutdown({
        config,
        logger,
        lifecycle,
        connections,
        signal,
        close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
      }),
  };
}

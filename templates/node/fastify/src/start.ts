import type { AddressInfo } from "node:net";

import type { Logger } from "pino";

import { buildApp } from "./app.js";
import type { Config } from "./config.js";
import { type Service, shutdown, trackConnections } from "./lifecycle.js";

/** Listens on config.host and config.port; the returned service shuts down on request. */
export async function start(config: Config, logger: Logger): Promise<Service> {
  const lifecycle = { draining: false };
  const app = buildApp({ config, logger, lifecycle });
  const connections = trackConnections(app.server);
  // Fastify's own default is localhost; "::" is every interface, IPv4 included.
  await app.listen({ host: config.host ?? "::", port: config.port });
  const address = app.server.address() as AddressInfo;

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
        // Fastify's close runs its onClose hooks, then the server's close.
        close: () => app.close(),
      }),
  };
}

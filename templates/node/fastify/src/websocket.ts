// GET /v1/ws: the checks before the upgrade, answered like every other
// error, then the room.
import type { IncomingMessage } from "node:http";

import type { WebsocketPluginOptions } from "@fastify/websocket";
import type { FastifyPluginCallback, FastifyReply } from "fastify";

import { accessLogLevel, PROBLEM_CONTENT_TYPE, problem } from "./http.js";
import type { Lifecycle } from "./lifecycle.js";
import { originAllowed } from "./origins.js";
import { MAX_MESSAGE_BYTES, type Room } from "./room.js";

const ROUTE = "/v1/ws";

/** The options of @fastify/websocket, registered on the whole app so that an upgrade to any other route is closed. */
export function websocketOptions(room: Room): WebsocketPluginOptions {
  return {
    // ws closes a connection whose message is over the limit with 1009.
    options: { maxPayload: MAX_MESSAGE_BYTES },
    // ws has already sent the close code a bad frame earns (1009, 1007...);
    // the plugin's default handler would cut the connection before it is out.
    errorHandler: (err, _socket, request) => request.log.debug({ err }, "websocket error"),
    // When app.close() is called on its own; start() closes the room earlier, when the drain starts.
    preClose: (done) => {
      room.close();
      done();
    },
  };
}

export interface WebsocketRoutesOptions {
  lifecycle: Lifecycle;
  room: Room;
  /** Origins besides the service's own whose pages may open the socket, canonical (config.wsAllowedOrigins). */
  allowedOrigins: readonly string[];
}

/** The /v1/ws route; register it after @fastify/websocket, which sees only the routes registered once it has loaded. */
export const websocketRoutes: FastifyPluginCallback<WebsocketRoutesOptions> = (app, options, done) => {
  const { lifecycle, room, allowedOrigins } = options;

  // The requests that passed the checks, until ws has answered them: the
  // 101 (or ws's 400 for a bad handshake) carries X-Request-Id and is
  // logged like any other response, though Fastify sends neither.
  const upgrades = new WeakMap<IncomingMessage, FastifyReply>();
  const logAnswer = (reply: FastifyReply, status: number) => {
    reply.log[accessLogLevel(ROUTE, status)](
      { method: "GET", route: ROUTE, status, duration_ms: reply.elapsedTime },
      "request",
    );
  };
  app.websocketServer.on("headers", (headers, req) => {
    const reply = upgrades.get(req);
    if (reply !== undefined) headers.push(`X-Request-Id: ${reply.request.id}`);
  });
  // A handshake ws refuses (no or a bad Sec-WebSocket-Key or -Version): a problem too.
  app.websocketServer.on("wsClientError", (err, socket, req) => {
    const reply = upgrades.get(req);
    upgrades.delete(req);
    if (reply === undefined || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(problem(400, reply.request.id, err.message));
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${reply.request.id}\r\n` +
        `Sec-WebSocket-Version: 13\r\nConnection: close\r\n\r\n${body}`,
    );
    logAnswer(reply, 400);
  });

  app.route({
    method: "GET",
    url: ROUTE,
    // OpenAPI does not describe a WebSocket: /v1/ws stays out of /openapi.json.
    schema: { hide: true },
    // Runs before the upgrade: a refusal is an ordinary reply.
    preValidation: async (request, reply) => {
      if (lifecycle.draining) {
        return reply
          .code(503)
          .type(PROBLEM_CONTENT_TYPE)
          .send(problem(503, request.id, "shutting down: no new WebSocket connections"));
      }
      const origin = request.headers.origin;
      if (!originAllowed(origin, request.headers.host, allowedOrigins)) {
        return reply
          .code(403)
          .type(PROBLEM_CONTENT_TYPE)
          .send(problem(403, request.id, `Origin ${origin} may not open a WebSocket here`));
      }
      upgrades.set(request.raw, reply);
      return undefined;
    },
    // A request without the upgrade headers.
    handler: async (request, reply) =>
      reply
        .code(426)
        .header("upgrade", "websocket")
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem(426, request.id, "this endpoint speaks WebSocket only: send an upgrade request")),
    wsHandler: (socket, request) => {
      const reply = upgrades.get(request.raw);
      upgrades.delete(request.raw);
      if (reply !== undefined) logAnswer(reply, 101);
      room.join(socket, request.log);
    },
  });
  done();
};

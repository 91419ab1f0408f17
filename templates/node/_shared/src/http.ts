import { randomBytes } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

// RFC 9457 problem details: the one error shape of every route.
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface Problem {
  type: "about:blank";
  title: string;
  status: number;
  detail?: string;
  request_id: string;
}

export function problem(status: number, requestId: string, detail?: string): Problem {
  const title = STATUS_CODES[status] ?? "Error";
  if (detail === undefined) return { type: "about:blank", title, status, request_id: requestId };
  return { type: "about:blank", title, status, detail, request_id: requestId };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request ID a request is known by: the caller's X-Request-Id when it is
 * a safe token, otherwise a new random one, so logs and headers never carry
 * what a client chose to inject.
 */
export function requestId(header: string | string[] | undefined): string {
  if (typeof header === "string" && REQUEST_ID.test(header)) return header;
  return randomBytes(16).toString("hex");
}

export type AccessLogLevel = "debug" | "info" | "warn" | "error";

/** Probes are polled every few seconds: keep them out of the info log. */
export function accessLogLevel(route: string, status: number): AccessLogLevel {
  if (route === "/healthz" || route === "/readyz") return "debug";
  if (status >= 500) return "error";
  if (status >= 400) return "warn";
  return "info";
}

/**
 * Answers what the HTTP parser refuses before any route runs (headers or
 * body too slow, malformed, headers too large) with a problem too, then
 * closes the connection.
 */
export function onClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  const id = requestId(undefined);
  const body = JSON.stringify(problem(status, id));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`,
  );
}

// Which web pages may open /v1/ws. A browser sends the page's Origin with
// every WebSocket upgrade and, unlike fetch, does not ask the server first
// (no CORS preflight): without this check any site a user visits could talk
// to the service with the user's cookies.
import { ConfigError } from "./config.js";

// scheme://host[:port] and nothing else: no path (not even "/"), query, fragment or user.
const ORIGIN = /^https?:\/\/[^/?#@\\\s]+$/i;

/** The origin in its canonical form (lower case, no default port), or undefined when text is not one. */
export function parseOrigin(text: string): string | undefined {
  if (!ORIGIN.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.hostname === "" ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Reads WS_ALLOWED_ORIGINS: comma-separated origins, besides the service's
 * own, whose pages may open /v1/ws, e.g. https://app.example.com,http://localhost:5173.
 * Unset or empty allows the service's own origin only.
 */
export function loadAllowedOrigins(env: NodeJS.ProcessEnv): string[] {
  const value = env.WS_ALLOWED_ORIGINS ?? "";
  if (value.trim() === "") return [];
  return value.split(",").map((entry) => {
    const origin = parseOrigin(entry.trim());
    if (origin === undefined) {
      throw new ConfigError(
        `WS_ALLOWED_ORIGINS=${JSON.stringify(value)}: ${JSON.stringify(entry.trim())} is not an origin ` +
          "(http:// or https://, a host and an optional port, no path)",
      );
    }
    return origin;
  });
}

/**
 * Whether a request with this Origin header may upgrade: when the origin's
 * host and port are the request's Host (the page came from this service), or
 * the origin is one of allowed (canonical, as loadAllowedOrigins returns them).
 */
export function originAllowed(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  const canonical = parseOrigin(origin);
  if (canonical === undefined) return false;
  if (host !== undefined && parseOrigin(`${new URL(canonical).protocol}//${host}`) === canonical) return true;
  return allowed.includes(canonical);
}

// Which web pages may open /v1/ws. A browser sends the page's Origin with
// every WebSocket upgrade and, unlike fetch, does not ask the server first
// (no CORS preflight): without this check any site a user visits could talk
// to the service with the user's cookies.
//
// An origin here is scheme://host[:port], http or https, and nothing else:
// no path (not even "/"), query, fragment or user. Its canonical form, the
// one compared, is what URL.origin gives: lower case, without the default
// port (https://App.Example:443 is https://app.example).

// What a host and port are written with: ASCII letters, digits, ".", "-", ":" and the brackets of an IPv6
// address, or the letters of an internationalised name, which URL turns into punycode.
const HOST_CHAR = /^(?:[A-Za-z0-9.:[\]-]|[^\p{ASCII}\s\p{C}])$/u;
// An RFC 1123 host name (an IPv4 address is one too), checked once URL has put it in lower case and punycode.
const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Why text is not an origin, as a phrase that follows it ("is empty", "has a path..."), or undefined when it is one. */
export function whyNotAnOrigin(text: string): string | undefined {
  if (text === "") return "is empty";
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  if (scheme === undefined) return "does not start with http:// or https://";
  const lower = scheme.toLowerCase();
  if (lower !== "http" && lower !== "https") return `has the scheme ${JSON.stringify(scheme)}, not http or https`;
  const rest = text.slice(scheme.length + 3);
  // What ends the host, as URL reads it (a backslash is a slash in an http URL).
  const end = rest.search(/[/\\?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  if (authority.includes("@")) return "has a user or password";
  if (end !== -1) {
    const c = rest[end];
    if (c === "?") return "has a query";
    if (c === "#") return "has a fragment";
    return "has a path (write it without one, and without a trailing slash)";
  }
  // URL would drop a tab inside the host, decode a %61 and take a "*": none is part of a host here.
  const odd = [...authority].find((c) => !HOST_CHAR.test(c));
  if (odd !== undefined) {
    const hint = odd === "*" ? " (a wildcard: list each origin instead)" : "";
    return `has the character ${JSON.stringify(odd)}, which is not part of a host${hint}`;
  }
  if (authority === "" || authority.startsWith(":")) return "has no host";
  if (authority.endsWith(":")) return "has an empty port";
  let url: URL;
  try {
    url = new URL(`${lower}://${authority}`);
  } catch {
    return "does not have a valid host and port";
  }
  if (url.port === "0") return "has the port 0";
  const host = url.hostname;
  if (!(host.startsWith("[") || HOST_NAME.test(host)))
    return "has a host that is neither a host name nor an IP address";
  return undefined;
}

/** The canonical form of an origin (lower case, no default port), or undefined when text is not one. */
export function parseOrigin(text: string): string | undefined {
  if (whyNotAnOrigin(text) !== undefined) return undefined;
  return new URL(text).origin;
}

/**
 * Whether a request with this Origin header may upgrade. A request without
 * Origin is not from a browser page, and is let in. A browser's is let in
 * when the origin's host and port are the request's Host (the page came from
 * this service, default ports included: Host example.com:443 is
 * https://example.com) or it is one of allowed, canonical as
 * WS_ALLOWED_ORIGINS is read. Anything else is refused, "null" (a sandboxed
 * page, a file) and an origin with a path or a trailing "/" included.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  const canonical = parseOrigin(origin);
  if (canonical === undefined) return false;
  if (allowed.includes(canonical)) return true;
  if (host === undefined) return false;
  // Host read with the Origin's scheme, so that example.com:443 is example.com for https.
  return parseOrigin(`${new URL(canonical).protocol}//${host}`) === canonical;
}

// `node dist/server.js healthcheck`: a health check for compose in an image
// with no shell and no curl. It asks this machine's own server and starts none.
import { formatMs, whyFailed } from "./chain.js";

/** GETs /healthz on 127.0.0.1:port; resolves to undefined on a 200, otherwise to why not. */
export async function healthcheck(port: number, timeoutMs = 2000): Promise<string | undefined> {
  const url = `http://127.0.0.1:${port}/healthz`;
  try {
    const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    if (res.status === 200) return undefined;
    return `${url} answered ${res.status}`;
  } catch (err) {
    if (err instanceof Error && err.name === "TimeoutError") {
      return `${url} did not answer within ${formatMs(timeoutMs)}`;
    }
    return `${url} did not answer: ${whyFailed(err)}`;
  }
}

/** fetch for Unkai's own /_unkai/ endpoints, signed with SigV4 like every client's calls. */
import { signedFetch } from "./clients.js";

export function unkaiFetch(baseUrl: string, path: string, init: { method?: string; query?: Record<string, string>; body?: string } = {}): Promise<Response> {
  const search = new URLSearchParams(init.query ?? {}).toString();
  return signedFetch(`${baseUrl}${path}${search ? `?${search}` : ""}`, {
    method: init.method ?? "GET",
    headers: init.body === undefined ? {} : { "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: init.body }),
    redirect: "manual",
  });
}

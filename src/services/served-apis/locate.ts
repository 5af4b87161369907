/** Which API or Function URL a request is for: by path (`/_aws/execute-api/<id>/…`, `/_aws/lambda-url/<id>/…`) or by Host, as AWS names them. */
import type { UnkaiRequest } from "../../protocol/http.js";

export interface Located {
  readonly kind: "execute-api" | "lambda-url";
  readonly id: string;
  /** The path after the id, percent-encoded, starting with `/`. */
  readonly path: string;
  /** The host name the event reports (`<id>.execute-api.localhost`, `<id>.lambda-url.<region>.localhost`). */
  readonly domainName: string;
}

const PATH_FORM = /^\/_aws\/(execute-api|lambda-url)\/([0-9a-z]+)(\/.*)?$/;
const API_HOST = /^([0-9a-z]+)\.execute-api\.localhost(?::\d+)?$/;
const URL_HOST = /^([0-9a-z]{32})\.lambda-url\.([a-z0-9-]+)\.localhost(?::\d+)?$/;

export function locate(request: UnkaiRequest, region: string): Located | undefined {
  const host = (request.headers.host ?? "").toLowerCase();
  const api = API_HOST.exec(host);
  if (api?.[1]) return { kind: "execute-api", id: api[1], path: request.path || "/", domainName: host.replace(/:\d+$/, "") };
  const url = URL_HOST.exec(host);
  if (url?.[1]) return { kind: "lambda-url", id: url[1], path: request.path || "/", domainName: host.replace(/:\d+$/, "") };
  const byPath = PATH_FORM.exec(request.path);
  if (!byPath?.[1] || !byPath[2]) return undefined;
  const kind = byPath[1] as Located["kind"];
  const domainName = kind === "execute-api" ? `${byPath[2]}.execute-api.localhost` : `${byPath[2]}.lambda-url.${region}.localhost`;
  return { kind, id: byPath[2], path: byPath[3] ?? "/", domainName };
}

/** The pieces of an HTTP request every event format needs: headers, query, cookies, and the body as text or base64. */

/** The request as a served API sees it, after the API or URL prefix is taken off. */
export interface ServedRequest {
  readonly method: string;
  /** Percent-encoded path the function sees (no stage prefix). */
  readonly path: string;
  /** Query string as received, without `?`. */
  readonly rawQuery: string;
  /** `[name, value, name, value, …]` as received. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly domainName: string;
  readonly receivedAt: number;
}

/** Header pairs with repeats kept, in arrival order, names as sent. */
export function headerPairs(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
  return pairs;
}

export function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if ((rawHeaders[i] as string).toLowerCase() === name) return rawHeaders[i + 1];
  return undefined;
}

/** A header's value (its name in any case) or a query parameter's first value (its name exact), as authorizers' identity sources name them. */
export function requestValue(request: ServedRequest, where: "header" | "querystring", name: string): string | undefined {
  return where === "header" ? headerValue(request.rawHeaders, name.toLowerCase()) : queryPairs(request.rawQuery).find(([key]) => key === name)?.[1];
}

/** Query pairs, decoded (`+` as space), in order. */
export function queryPairs(rawQuery: string): [string, string][] {
  return [...new URLSearchParams(rawQuery)];
}

/** Content types API Gateway passes as text; every other body (or one with no type) goes base64. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return /^text\//.test(type)
    || /^application\/(json|javascript|ecmascript|xml|yaml|x-yaml|x-www-form-urlencoded|graphql)$/.test(type)
    || /\+(json|xml|yaml)$/.test(type);
}

/** The body as the event carries it: undefined when empty, base64 unless text. */
export function eventBody(body: Buffer, asText: boolean): { body: string | undefined; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: undefined, isBase64Encoded: false };
  return asText ? { body: body.toString("utf8"), isBase64Encoded: false } : { body: body.toString("base64"), isBase64Encoded: true };
}

/** `dd/MMM/yyyy:HH:mm:ss +0000`, as requestContext.time and requestTime use. */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

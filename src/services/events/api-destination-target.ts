/**
 * API destinations as a destinations target: the message body (the event, or the target's input)
 * is sent to the destination's endpoint with its connection's credentials. A 5xx, 401, 407, 409 or
 * 429 answer, a refused connection or a timeout throws, so EventBridge's retry outbox retries and
 * dead-letters the delivery as it does any other target's; any other non-2xx answer is dead-lettered
 * without retries, as EventBridge does. The target's HttpParameters travel with the message
 * (an attribute), so a retry sends what the first attempt sent.
 */
import { MissingTargetError, NotRetriedError, type DestinationTarget, type OutboundMessage } from "../../async/destinations.js";
import type { ApiDestinationRecord, ConnectionHttpParameters, ConnectionRecord } from "../../core/events/resources.js";
import type { DocumentStore } from "../../store/ports.js";
import { apiDestinationOfArn } from "./api-destinations.js";
import { connectionOfArn } from "./connections.js";

/** The message attribute carrying the rule target's HttpParameters (JSON). */
export const HTTP_PARAMETERS_ATTRIBUTE = "HttpParameters";

/** AWS gives an API destination 5 s to answer. */
const INVOCATION_TIMEOUT_MS = 5_000;

/** The 4xx answers EventBridge retries; any other 4xx (and 1xx/3xx) fails the delivery without retries. */
const RETRIED_CLIENT_ERRORS = new Set([401, 407, 409, 429]);

/**
 * InvocationRateLimitPerSecond, per destination on this node: a bucket of one second's invocations.
 * An invocation over the limit fails as retriable, so the retry outbox sends it later (EventBridge
 * holds such events back and delivers them within the target's retry policy).
 */
class RateLimits {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  take(arn: string, perSecond: number | undefined, nowMs: number): boolean {
    if (perSecond === undefined) return true;
    const window = this.windows.get(arn);
    if (!window || nowMs - window.startMs >= 1_000) {
      if (this.windows.size >= 10_000) this.windows.clear();
      this.windows.set(arn, { startMs: nowMs, count: 1 });
      return true;
    }
    if (window.count >= perSecond) return false;
    window.count++;
    return true;
  }
}

export interface TargetHttpParameters {
  readonly PathParameterValues?: readonly string[];
  readonly HeaderParameters?: Readonly<Record<string, string>>;
  readonly QueryStringParameters?: Readonly<Record<string, string>>;
}

export interface ApiDestinationTargetDeps {
  readonly connections: DocumentStore<ConnectionRecord>;
  readonly apiDestinations: DocumentStore<ApiDestinationRecord>;
}

/** The endpoint with each `*` replaced by the next path parameter, and the query parameters added. */
function targetUrl(endpoint: string, params: TargetHttpParameters, connectionHttp: ConnectionHttpParameters | undefined): URL {
  const values = [...(params.PathParameterValues ?? [])];
  const stars = endpoint.split("*").length - 1;
  if (values.length !== stars) {
    throw new Error(`The endpoint ${endpoint} has ${stars} path parameter(s) (*) but the target gives ${values.length} PathParameterValues.`);
  }
  const url = new URL(endpoint.replace(/\*/g, () => encodeURIComponent(values.shift() ?? "")));
  for (const [key, value] of Object.entries(params.QueryStringParameters ?? {})) url.searchParams.append(key, value);
  for (const p of connectionHttp?.QueryStringParameters ?? []) if (p.Key) url.searchParams.append(p.Key, p.Value ?? "");
  return url;
}

/** The connection's credentials as a header. */
function authHeader(connection: ConnectionRecord): [string, string] {
  const auth = connection.AuthParameters;
  if (connection.AuthorizationType === "API_KEY") return [auth.ApiKeyAuthParameters?.ApiKeyName ?? "", auth.ApiKeyAuthParameters?.ApiKeyValue ?? ""];
  if (connection.AuthorizationType === "BASIC") {
    const basic = auth.BasicAuthParameters;
    return ["authorization", `Basic ${Buffer.from(`${basic?.Username ?? ""}:${basic?.Password ?? ""}`).toString("base64")}`];
  }
  throw new NotRetriedError(`Connection ${connection.Name} uses OAUTH_CLIENT_CREDENTIALS, which Unkai stores but does not call with (it fetches no OAuth tokens): use API_KEY or BASIC.`);
}

function headersFor(connection: ConnectionRecord, params: TargetHttpParameters): Headers {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8", "user-agent": "Amazon/EventBridge/ApiDestinations" });
  for (const [key, value] of Object.entries(params.HeaderParameters ?? {})) headers.set(key, value);
  for (const p of connection.AuthParameters.InvocationHttpParameters?.HeaderParameters ?? []) if (p.Key) headers.set(p.Key, p.Value ?? "");
  const [name, value] = authHeader(connection);
  headers.set(name, value);
  return headers;
}

export function apiDestinationTarget({ connections, apiDestinations }: ApiDestinationTargetDeps): DestinationTarget {
  const limits = new RateLimits();
  const send = async (arn: string, message: OutboundMessage): Promise<void> => {
    const name = apiDestinationOfArn(arn) ?? "";
    const destination = await apiDestinations.get(name);
    if (!destination || destination.Arn !== arn) throw new MissingTargetError(`API destination ${arn} does not exist.`);
    const connection = await connections.get(connectionOfArn(destination.ConnectionArn) ?? "");
    if (!connection || connection.Arn !== destination.ConnectionArn) throw new MissingTargetError(`Connection ${destination.ConnectionArn} does not exist.`);
    const paramsText = message.attributes?.[HTTP_PARAMETERS_ATTRIBUTE];
    const params = paramsText !== undefined ? (JSON.parse(paramsText) as TargetHttpParameters) : {};
    const url = targetUrl(destination.InvocationEndpoint, params, connection.AuthParameters.InvocationHttpParameters);
    if (!limits.take(arn, destination.InvocationRateLimitPerSecond, Date.now())) {
      throw new Error(`API destination ${name} is over its InvocationRateLimitPerSecond (${destination.InvocationRateLimitPerSecond}); the event is sent later.`);
    }
    const method = destination.HttpMethod;
    const response = await fetch(url, {
      method, headers: headersFor(connection, params), signal: AbortSignal.timeout(INVOCATION_TIMEOUT_MS),
      ...(method === "GET" || method === "HEAD" ? {} : { body: message.body }),
    }).catch((error: unknown) => {
      throw new Error(`Calling API destination ${name} at ${url.origin} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status <= 299) return;
    const failure = `API destination ${name} answered HTTP ${response.status}.`;
    throw response.status >= 500 || RETRIED_CLIENT_ERRORS.has(response.status) ? new Error(failure) : new NotRetriedError(failure);
  };
  return {
    kind: "api-destination",
    accepts: (arn) => apiDestinationOfArn(arn) !== undefined,
    deliver: async () => {
      throw new Error("An API destination is not a Lambda destination.");
    },
    send,
  };
}

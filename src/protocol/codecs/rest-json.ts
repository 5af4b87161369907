/**
 * The restJson1 wire read from the model: an operation is named by its HTTP method and path template
 * (`POST /schedules/{Name}`), and its input members come from the path (`location: uri`), the query
 * string (`querystring`), headers (`header`) and the JSON body (everything else). Timestamps and
 * blobs in the body are as on the awsJson wire (epoch seconds, base64).
 */
import type { UnkaiRequest, UnkaiResponse } from "../http.js";
import { MalformedInput } from "./input-errors.js";
import { membersOf, shapeOf, type OperationModel, type ServiceModel, type Shape } from "./model.js";
import { decodeValue, encodeValue } from "./structured.js";
import { JSON_WIRE, parseJsonBody } from "./wires.js";

export interface RestRoute {
  readonly operation: OperationModel;
  readonly method: string;
  readonly pattern: RegExp;
  /** The path labels, in the order the pattern captures them. */
  readonly labels: readonly string[];
}

/** A request's operation and its path labels (decoded), or why none matched. */
export type RestMatch =
  | { readonly route: RestRoute; readonly labels: Readonly<Record<string, string>> }
  | { readonly route: undefined; readonly pathMatched: boolean };

/** Every operation of the model as a route; `{Name+}` labels take the rest of the path. */
export function restRoutes(model: ServiceModel): RestRoute[] {
  return Object.values(model.operations).flatMap((operation) => {
    if (!operation.http) return [];
    const path = operation.http.requestUri.split("?")[0] ?? "";
    const labels: string[] = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{([A-Za-z0-9_]+)(\\\+)?\}/g, (_m, name: string, greedy?: string) => {
      labels.push(name);
      return greedy ? "(.+)" : "([^/]+)";
    });
    return [{ operation, method: operation.http.method, pattern: new RegExp(`^${source}/?$`), labels }];
  });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function matchRoute(routes: readonly RestRoute[], request: UnkaiRequest): RestMatch {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(request.path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== request.method) continue;
    return { route, labels: Object.fromEntries(route.labels.map((name, i) => [name, decodeSegment(match[i + 1] ?? "")])) };
  }
  return { route: undefined, pathMatched };
}

/** A path, query or header value (always text) as its shape's JSON value, so decodeValue types it. */
function fromText(shape: Shape, text: string, name: string): unknown {
  if (shape.type === "string" || shape.type === "timestamp") return text;
  if (shape.type === "boolean" && (text === "true" || text === "false")) return text === "true";
  if (["integer", "long", "short", "byte", "float", "double"].includes(shape.type) && text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
  throw new MalformedInput(`${name}: ${JSON.stringify(text)} is not a ${shape.type}`);
}

/** The operation's input from every part of the request; MalformedInput when a part is not its shape. */
export function decodeRestJsonInput(model: ServiceModel, match: Extract<RestMatch, { route: RestRoute }>, request: UnkaiRequest): Record<string, unknown> {
  const inputRef = match.route.operation.input;
  if (!inputRef) return {};
  const shape = shapeOf(model, inputRef);
  const body = parseJsonBody(request.body);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new MalformedInput("The request body must be a JSON object.");
  const raw: Record<string, unknown> = {};
  for (const [name, member] of membersOf(shape)) {
    const wireName = member.locationName ?? name;
    const memberShape = shapeOf(model, member);
    if (member.location === "uri") {
      if (match.labels[wireName] !== undefined) raw[name] = fromText(memberShape, match.labels[wireName], wireName);
    } else if (member.location === "querystring") {
      const values = request.query.getAll(wireName);
      if (values.length === 0) continue;
      const element = memberShape.member ? shapeOf(model, memberShape.member) : undefined;
      raw[name] = element ? values.map((v) => fromText(element, v, wireName)) : fromText(memberShape, values[0] ?? "", wireName);
    } else if (member.location === "header") {
      const value = request.headers[wireName.toLowerCase()];
      if (value !== undefined) raw[name] = fromText(memberShape, value, wireName);
    } else {
      raw[name] = (body as Record<string, unknown>)[name];
    }
  }
  return decodeValue(model, inputRef, raw, "", JSON_WIRE) as Record<string, unknown>;
}

/** The operation's output as restJson1's JSON body, with the model's status. */
export function restJsonOutput(model: ServiceModel, operation: OperationModel, output: object | undefined): UnkaiResponse {
  const value = operation.output ? encodeValue(model, operation.output, output ?? {}, JSON_WIRE) : {};
  return { status: operation.http?.responseCode ?? 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify(value) };
}

/**
 * UpdateStage for REST APIs: API Gateway's JSON-patch-like `patchOperations` applied to a stage. Supported:
 * `replace` of `/description`, `/deploymentId` (an existing deployment), `/cacheClusterEnabled`, `/tracingEnabled`;
 * `add`/`replace`/`remove` of `/variables/<name>`; `add`/`replace` of the method settings
 * `/<resourcePath>/<httpMethod>/<group>/<setting>` (`*` as both for every method; `logging/loglevel`…) and
 * `remove` of a whole `/<resourcePath>/<httpMethod>`; method settings are kept and answered; their throttling is applied (served-apis/stage-throttles.ts).
 * A path outside these is refused in API Gateway's words ("Invalid method setting path: … Must be one of: […]",
 * listing Unkai's paths); an operation a path does not take, likewise ("Invalid <op> operation with path: …").
 */
import { UnkaiError } from "../../core/errors.js";
import type { RestApi, RestMethodSetting, RestStage } from "../../core/api-definitions.js";
import { ownValue } from "../../core/own-keys.js";
import type { PatchOperation } from "./rest-api-policy.js";
import { findDeployment } from "./lookups.js";
import { checkStageVariable, checkStageVariableCount } from "./stage-variables.js";

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

/** A method setting's path tail, the member it sets and how its value is read. */
const METHOD_SETTINGS: Readonly<Record<string, { readonly member: keyof RestMethodSetting; readonly read: (value: string, path: string) => boolean | number | string }>> = {
  "metrics/enabled": { member: "metricsEnabled", read: boolean },
  "logging/dataTrace": { member: "dataTraceEnabled", read: boolean },
  "logging/loglevel": { member: "loggingLevel", read: oneOf(["OFF", "ERROR", "INFO"]) },
  "throttling/burstLimit": { member: "throttlingBurstLimit", read: integer },
  "throttling/rateLimit": { member: "throttlingRateLimit", read: number },
  "caching/enabled": { member: "cachingEnabled", read: boolean },
  "caching/ttlInSeconds": { member: "cacheTtlInSeconds", read: integer },
  "caching/dataEncrypted": { member: "cacheDataEncrypted", read: boolean },
  "caching/requireAuthorizationForCacheControl": { member: "requireAuthorizationForCacheControl", read: boolean },
  "caching/unauthorizedCacheControlHeaderStrategy": {
    member: "unauthorizedCacheControlHeaderStrategy", read: oneOf(["FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"]),
  },
};

/** The paths named when one is refused: Unkai's, in API Gateway's notation. */
const SUPPORTED_PATHS = [
  "/deploymentId", "/description", "/cacheClusterEnabled", "/tracingEnabled", "/variables/{variable_name}",
  ...Object.keys(METHOD_SETTINGS).map((tail) => `/{resourcePath}/{httpMethod}/${tail}`),
  ...Object.keys(METHOD_SETTINGS).map((tail) => `/*/*/${tail}`),
];

const invalidPath = (path: string) => badRequest(`Invalid method setting path: ${path}. Must be one of: [${SUPPORTED_PATHS.join(", ")}]`);
const invalidOperation = (op: string, path: string) => badRequest(`Invalid ${op} operation with path: ${path}`);

/**
 * The stage being patched: its variables and method settings as Maps (a name `__proto__` stays a plain key), changed
 * in place, so a request's operations cost one step each however many there are.
 */
interface Draft {
  stage: RestStage;
  readonly variables: Map<string, string>;
  readonly methodSettings: Map<string, RestMethodSetting>;
}

/** The stage `operations` make of `stage`, applied in order; the first one refused refuses them all (nothing is stored). */
export function patchStage(api: RestApi, stage: RestStage, operations: readonly PatchOperation[]): RestStage {
  const draft: Draft = { stage, variables: new Map(Object.entries(stage.variables)), methodSettings: new Map(Object.entries(stage.methodSettings ?? {})) };
  for (const operation of operations) applyOne(api, draft, operation);
  return { ...draft.stage, variables: Object.fromEntries(draft.variables), methodSettings: Object.fromEntries(draft.methodSettings) };
}

function applyOne(api: RestApi, draft: Draft, { op, path, value }: PatchOperation): void {
  const segments = path.split("/").slice(1);
  const [head = "", ...rest] = segments;
  if (!path.startsWith("/") || head === "") throw invalidPath(path);
  if (head === "variables" && rest.length === 1 && rest[0] !== "") patchVariable(draft.variables, op, unescape(rest[0] ?? ""), value, path);
  else if (segments.length === 1) draft.stage = patchMember(api, draft.stage, op, head, value, path);
  else if (segments.length === 2 && op === "remove") removeMethodSetting(draft.methodSettings, segments.join("/"));
  else if (segments.length === 4) patchMethodSetting(api, draft.methodSettings, op, segments, value, path);
  else throw invalidPath(path);
}

function patchMember(api: RestApi, stage: RestStage, op: string, member: string, value: string | undefined, path: string): RestStage {
  if (!["description", "deploymentId", "cacheClusterEnabled", "tracingEnabled"].includes(member)) throw invalidPath(path);
  if (op !== "replace") throw invalidOperation(op, path);
  switch (member) {
    case "description":
      return { ...stage, description: value ?? "" };
    case "deploymentId":
      // As CreateStage: a stage names one of the API's deployments (NotFoundException otherwise).
      return { ...stage, deploymentId: findDeployment(api, value ?? "").id };
    case "cacheClusterEnabled":
      return { ...stage, cacheClusterEnabled: boolean(value ?? "", path) };
    default:
      return { ...stage, tracingEnabled: boolean(value ?? "", path) };
  }
}

/** `add`/`replace` set a stage variable (API Gateway's name, value and count rules), `remove` deletes it. */
function patchVariable(variables: Map<string, string>, op: string, name: string, value: string | undefined, path: string): void {
  if (op === "remove") variables.delete(name);
  else if (op === "add" || op === "replace") {
    if (value === undefined) throw badRequest(`A value is required to ${op} the stage variable at ${path}.`);
    checkStageVariable(name, value);
    variables.set(name, value);
    checkStageVariableCount(variables.size);
  } else throw invalidOperation(op, path);
}

function patchMethodSetting(api: RestApi, settings: Map<string, RestMethodSetting>, op: string, segments: readonly string[], value: string | undefined, path: string): void {
  const [resourcePath = "", httpMethod = "", group = "", name = ""] = segments;
  const setting = ownValue(METHOD_SETTINGS, `${group}/${name}`);
  if (!setting || resourcePath === "" || httpMethod === "") throw invalidPath(path);
  if (op !== "add" && op !== "replace") throw invalidOperation(op, path);
  checkMethodExists(api, resourcePath, httpMethod, path);
  const key = `${resourcePath}/${httpMethod}`;
  settings.set(key, { ...settings.get(key), [setting.member]: setting.read(value ?? "", path) });
}

/**
 * A method setting names `*` / `*` or a method of one of the API's resources (`pets`, or `~1pets` with JSON Pointer's
 * escape): so a stage keeps at most one setting per method, not one per name a caller makes up.
 */
function checkMethodExists(api: RestApi, resourcePath: string, httpMethod: string, path: string): void {
  if (resourcePath === "*" && httpMethod === "*") return;
  const unescaped = unescape(resourcePath);
  const resource = api.resources.find((r) => r.path === (unescaped.startsWith("/") ? unescaped : `/${unescaped}`));
  const method = httpMethod.toUpperCase();
  if (!resource || (method !== "*" && !Object.hasOwn(resource.methods, method) && !Object.hasOwn(resource.methods, "ANY"))) {
    throw badRequest(`Invalid method setting path: ${path}: the API has no method ${httpMethod} on a resource ${unescaped}.`);
  }
}

function removeMethodSetting(settings: Map<string, RestMethodSetting>, key: string): void {
  // API Gateway's words, trailing space included.
  if (!settings.delete(key)) throw badRequest(`Cannot remove method setting ${key} because there is no method setting for this method `);
}

/** JSON Pointer's escapes (`~1` is `/`, `~0` is `~`), as API Gateway's patch paths use them. */
function unescape(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

function boolean(value: string, path: string): boolean {
  if (value === "true" || value === "false") return value === "true";
  throw badRequest(`Invalid value '${value}' for ${path}: use true or false.`);
}

function integer(value: string, path: string): number {
  if (/^-?\d+$/.test(value)) return Number(value);
  throw badRequest(`Invalid value '${value}' for ${path}: use a whole number.`);
}

function number(value: string, path: string): number {
  const parsed = Number(value);
  if (value.trim() !== "" && Number.isFinite(parsed)) return parsed;
  throw badRequest(`Invalid value '${value}' for ${path}: use a number.`);
}

function oneOf(allowed: readonly string[]) {
  return (value: string, path: string): string => {
    if (allowed.includes(value)) return value;
    throw badRequest(`Invalid value '${value}' for ${path}: use ${allowed.join(", ")}.`);
  };
}

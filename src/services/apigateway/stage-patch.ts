/**
 * UpdateStage for REST APIs: API Gateway's JSON-patch-like `patchOperations` applied to a stage. Supported:
 * `replace` of `/description`, `/deploymentId` (an existing deployment), `/cacheClusterEnabled`, `/tracingEnabled`;
 * `add`/`replace`/`remove` of `/variables/<name>`; `add`/`replace` of the method settings
 * `/<resourcePath>/<httpMethod>/<group>/<setting>` (`*` as both for every method; `logging/loglevel`…) and
 * `remove` of a whole `/<resourcePath>/<httpMethod>`; method settings are kept and answered, not applied.
 * A path outside these is refused in API Gateway's words ("Invalid method setting path: … Must be one of: […]",
 * listing Unkai's paths); an operation a path does not take, likewise ("Invalid <op> operation with path: …").
 */
import { UnkaiError } from "../../core/errors.js";
import type { RestApi, RestMethodSetting, RestStage } from "../../core/api-definitions.js";
import type { PatchOperation } from "./rest-api-policy.js";

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

/** The stage `operations` make of `stage`, applied in order; the first one refused refuses them all (nothing is stored). */
export function patchStage(api: RestApi, stage: RestStage, operations: readonly PatchOperation[]): RestStage {
  return operations.reduce((current, operation) => applyOne(api, current, operation), stage);
}

function applyOne(api: RestApi, stage: RestStage, { op, path, value }: PatchOperation): RestStage {
  const segments = path.split("/").slice(1);
  const [head = "", ...rest] = segments;
  if (!path.startsWith("/") || head === "") throw invalidPath(path);
  if (head === "variables" && rest.length === 1 && rest[0] !== "") return patchVariable(stage, op, unescape(rest[0] ?? ""), value, path);
  if (segments.length === 1) return patchMember(api, stage, op, head, value, path);
  if (segments.length === 2 && op === "remove") return removeMethodSetting(stage, segments.join("/"));
  if (segments.length === 4) return patchMethodSetting(stage, op, segments, value, path);
  throw invalidPath(path);
}

function patchMember(api: RestApi, stage: RestStage, op: string, member: string, value: string | undefined, path: string): RestStage {
  if (!["description", "deploymentId", "cacheClusterEnabled", "tracingEnabled"].includes(member)) throw invalidPath(path);
  if (op !== "replace") throw invalidOperation(op, path);
  switch (member) {
    case "description":
      return { ...stage, description: value ?? "" };
    case "deploymentId":
      // As CreateStage: a stage names one of the API's deployments (NotFoundException otherwise).
      if (!api.deployments.some((d) => d.id === value)) throw new UnkaiError("NotFoundException", "Invalid Deployment identifier specified");
      return { ...stage, deploymentId: value ?? "" };
    case "cacheClusterEnabled":
      return { ...stage, cacheClusterEnabled: boolean(value ?? "", path) };
    default:
      return { ...stage, tracingEnabled: boolean(value ?? "", path) };
  }
}

/** `add`/`replace` set a stage variable, `remove` deletes it; a Map keeps a name `__proto__` a plain key. */
function patchVariable(stage: RestStage, op: string, name: string, value: string | undefined, path: string): RestStage {
  const variables = new Map(Object.entries(stage.variables));
  if (op === "remove") variables.delete(name);
  else if (op === "add" || op === "replace") {
    if (value === undefined) throw badRequest(`A value is required to ${op} the stage variable at ${path}.`);
    variables.set(name, value);
  } else throw invalidOperation(op, path);
  return { ...stage, variables: Object.fromEntries(variables) };
}

function patchMethodSetting(stage: RestStage, op: string, segments: readonly string[], value: string | undefined, path: string): RestStage {
  const [resourcePath = "", httpMethod = "", group = "", name = ""] = segments;
  const setting = METHOD_SETTINGS[`${group}/${name}`];
  if (!setting || resourcePath === "" || httpMethod === "") throw invalidPath(path);
  if (op !== "add" && op !== "replace") throw invalidOperation(op, path);
  const key = `${resourcePath}/${httpMethod}`;
  const settings = new Map(Object.entries(stage.methodSettings ?? {}));
  settings.set(key, { ...settings.get(key), [setting.member]: setting.read(value ?? "", path) });
  return { ...stage, methodSettings: Object.fromEntries(settings) };
}

function removeMethodSetting(stage: RestStage, key: string): RestStage {
  const settings = new Map(Object.entries(stage.methodSettings ?? {}));
  // API Gateway's words, trailing space included.
  if (!settings.delete(key)) throw badRequest(`Cannot remove method setting ${key} because there is no method setting for this method `);
  return { ...stage, methodSettings: Object.fromEntries(settings) };
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

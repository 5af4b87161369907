/**
 * A REST API's resource policy (`policy` on CreateRestApi, `replace /policy` on UpdateRestApi), kept as API
 * Gateway keeps it: validated as an IAM resource policy, `execute-api:/…` resources expanded to the API's
 * ARN (`arn:aws:execute-api:<region>:<account>:<apiId>/…`), minified; and answered as API Gateway answers
 * it, a JSON string whose quotes and slashes are backslash-escaped once more. Served APIs evaluate the
 * deployed snapshot (src/services/served-apis/rest-api-policy.ts; docs/iam.md).
 */
import type { RestApi } from "../../core/api-definitions.js";
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { parsePolicy } from "../../core/iam-policy/index.js";

const INVALID = "Invalid policy document. Please check the policy syntax and ensure that Principals are valid.";

/** The policy as stored, or undefined for an empty one (which removes it); BadRequestException for one IAM would refuse. */
export function normalizeRestApiPolicy(text: string, account: Account, apiId: string): string | undefined {
  if (text.trim() === "") return undefined;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new UnkaiError("BadRequestException", INVALID);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw new UnkaiError("BadRequestException", INVALID);
  const base = `arn:aws:execute-api:${account.region}:${account.accountId}:${apiId}`;
  const expand = (resource: unknown) => (typeof resource === "string" && resource.startsWith("execute-api:/") ? `${base}${resource.slice("execute-api:".length)}` : resource);
  const withArn = (statement: unknown) => {
    if (typeof statement !== "object" || statement === null) return statement;
    const s = statement as Record<string, unknown>;
    const out = { ...s };
    for (const key of ["Resource", "NotResource"]) {
      if (key in s) out[key] = Array.isArray(s[key]) ? (s[key] as unknown[]).map(expand) : expand(s[key]);
    }
    return out;
  };
  const raw = document as Record<string, unknown>;
  const statements = raw.Statement;
  const expanded = { ...raw, Statement: Array.isArray(statements) ? statements.map(withArn) : withArn(statements) };
  const minified = JSON.stringify(expanded);
  try {
    parsePolicy(minified, "resource");
  } catch (error) {
    throw new UnkaiError("BadRequestException", `${INVALID} ${error instanceof Error ? error.message : ""}`.trim());
  }
  return minified;
}

/** As GetRestApi answers it: the document's quotes and slashes escaped once more (clients unescape it). */
export const policyOut = (policy: string): string => JSON.stringify(policy).slice(1, -1).replaceAll("/", "\\/");

export interface PatchOperation {
  readonly op: string;
  readonly path: string;
  readonly value?: string | undefined;
}

/**
 * UpdateRestApi: `replace` of `/name`, `/description`, `/policy` and `/apiKeySource` (an empty value removes the policy, as
 * does `remove /policy`); anything else is BadRequestException naming the operation.
 */
export function patchRestApi(api: RestApi, operations: readonly PatchOperation[], account: Account): RestApi {
  let next = api;
  for (const { op, path, value } of operations) {
    if (op === "replace" && path === "/name") {
      if (!value) throw new UnkaiError("BadRequestException", "Invalid patch operation: name must not be empty");
      next = { ...next, name: value };
    } else if (op === "replace" && path === "/description") next = { ...next, description: value };
    else if (op === "replace" && path === "/policy") next = { ...next, policy: normalizeRestApiPolicy(value ?? "", account, api.id) };
    else if (op === "remove" && path === "/policy") next = { ...next, policy: undefined };
    else if (op === "replace" && path === "/apiKeySource") {
      if (value !== "HEADER" && value !== "AUTHORIZER") throw new UnkaiError("BadRequestException", `Invalid apiKeySource '${value ?? ""}': HEADER or AUTHORIZER.`);
      next = { ...next, apiKeySource: value };
    } else throw unsupportedPatch(op, path, "replace of /name, /description, /policy and /apiKeySource");
  }
  return next;
}

/** The refusal of an operation a resource's Update… does not take (UpdateRestApi, UpdateDeployment): `supported` says what it takes. */
export function unsupportedPatch(op: string, path: string, supported: string): UnkaiError {
  return new UnkaiError("BadRequestException", `Invalid patch path '${path}' specified for op '${op}'. Unkai supports ${supported}.`);
}

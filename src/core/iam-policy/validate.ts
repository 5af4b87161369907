/**
 * Parses a policy document and validates it as IAM does, refusing with IAM's own
 * MalformedPolicyDocument wording (the messages AWS returns, as clients and tools quote them).
 */
import { CONDITION_OPERATORS, parseDate } from "./operators.js";
import { MalformedPolicyError, type ConditionTest, type Policy, type PolicyKind, type PrincipalBlock, type Statement } from "./types.js";

const SYNTAX = "Syntax errors in policy.";
const LEGACY = "The policy failed legacy parsing";
const NEEDS_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
const PARTITIONS = new Set(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"]);
const STATEMENT_FIELDS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);

const fail = (message: string): never => {
  throw new MalformedPolicyError(message);
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Parses and validates `text` as a policy of `kind`; throws MalformedPolicyError with IAM's message. */
export function parsePolicy(text: string, kind: PolicyKind): Policy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(SYNTAX);
  }
  return validatePolicy(json, kind);
}

/** Validates an already-parsed document (a bucket policy read back from the store, a seeded managed policy). */
export function validatePolicy(json: unknown, kind: PolicyKind): Policy {
  if (!isObject(json)) return fail(SYNTAX);
  for (const key of Object.keys(json)) if (key !== "Version" && key !== "Statement" && key !== "Id") fail(SYNTAX);
  if (json.Id !== undefined && typeof json.Id !== "string") fail(SYNTAX);
  const version = json.Version;
  if (version !== undefined && version !== "2012-10-17" && version !== "2008-10-17") fail(SYNTAX);
  // Managed policies must use the current language; inline, trust and resource policies may still say 2008.
  if (kind === "managed" && version !== "2012-10-17") fail("Policy document must be version 2012-10-17 or greater.");
  const raw = json.Statement;
  const list = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : fail(SYNTAX);
  if (list.length === 0 || !list.every(isObject)) fail(SYNTAX);
  // IAM checks the Effect spelling of every statement before anything else in any of them.
  for (const st of list as Record<string, unknown>[]) {
    const effect = st.Effect;
    if (typeof effect === "string" && effect !== "Allow" && effect !== "Deny" && /^(allow|deny)$/i.test(effect)) fail(LEGACY);
  }
  const sids = new Set<string>();
  const statements = (list as Record<string, unknown>[]).map((st) => statement(st, kind, sids));
  return { version: version === "2012-10-17" ? "2012-10-17" : "2008-10-17", id: json.Id as string | undefined, statements };
}

function statement(st: Record<string, unknown>, kind: PolicyKind, sids: Set<string>): Statement {
  for (const key of Object.keys(st)) if (!STATEMENT_FIELDS.has(key)) fail(SYNTAX);
  if ("Action" in st && "NotAction" in st) fail(SYNTAX);
  if ("Resource" in st && "NotResource" in st) fail(SYNTAX);
  if ("Principal" in st && "NotPrincipal" in st) fail(SYNTAX);
  const sid = sidOf(st.Sid, kind, sids);
  if (st.Effect !== "Allow" && st.Effect !== "Deny") return fail(SYNTAX);
  const conditions = st.Condition === undefined ? [] : conditionsOf(st.Condition);
  const principal = st.Principal === undefined ? undefined : principalOf(st.Principal, kind);
  const notPrincipal = st.NotPrincipal === undefined ? undefined : principalOf(st.NotPrincipal, kind);
  const actionKey = "Action" in st ? "Action" : "NotAction" in st ? "NotAction" : undefined;
  if (actionKey === undefined) return fail("Policy statement must contain actions.");
  const actions = stringsOf(st[actionKey]);
  if (actions.length === 0) fail("Policy statement must contain actions.");
  const resourceKey = "Resource" in st ? "Resource" : "NotResource" in st ? "NotResource" : undefined;
  const resources = resourceKey === undefined ? undefined : stringsOf(st[resourceKey], true);
  principalRules(kind, principal ?? notPrincipal, resources);
  if (resources !== undefined) {
    if (resources.length === 0) fail("Policy statement must contain resources.");
    resources.forEach(checkResource);
  }
  actions.forEach(checkAction);
  return {
    sid,
    effect: st.Effect,
    action: actionKey === "Action" ? actions : undefined,
    notAction: actionKey === "NotAction" ? actions : undefined,
    resource: resourceKey === "Resource" ? resources : undefined,
    notResource: resourceKey === "NotResource" ? resources : undefined,
    principal,
    notPrincipal,
    conditions,
  };
}

/** Which of Principal and Resource each kind of policy must have, and must not. */
function principalRules(kind: PolicyKind, principal: PrincipalBlock | undefined, resources: readonly string[] | undefined): void {
  if (kind === "managed" || kind === "identity") {
    if (principal !== undefined) fail("Policy document should not specify a principal.");
    if (resources === undefined) fail("Policy statement must contain resources.");
    return;
  }
  if (principal === undefined) fail("Missing required field Principal");
  if (kind === "trust" && resources !== undefined) fail("Has prohibited field Resource");
  if (kind === "resource" && resources === undefined) fail("Policy statement must contain resources.");
}

function sidOf(value: unknown, kind: PolicyKind, seen: Set<string>): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") return fail(SYNTAX);
  // IAM's own documents (identity and trust policies) take only letters and digits; services' resource policies are laxer.
  if (kind !== "resource" && !/^[0-9A-Za-z]*$/.test(value)) {
    fail("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*");
  }
  if (value !== "") {
    if (seen.has(value)) fail("Statement IDs (SID) in a single policy must be unique.");
    seen.add(value);
  }
  return value;
}

/** A string or an array of strings (Resource may also hold nulls, which IAM drops). */
function stringsOf(value: unknown, allowNull = false): string[] {
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) return fail(SYNTAX);
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === "string") out.push(item);
    else if (!(allowNull && item === null)) fail(SYNTAX);
  }
  return out;
}

function checkAction(action: string): void {
  if (action === "*") return;
  const colons = action.split(":").length - 1;
  if (colons === 0) fail(NEEDS_VENDOR);
  if (colons > 1) fail("Actions/Condition can contain only one colon.");
  const vendor = action.slice(0, action.indexOf(":"));
  if (vendor === "" ) fail(NEEDS_VENDOR);
  if (!/^[a-zA-Z0-9*?-]+$/.test(vendor)) fail(`Vendor ${vendor} is not valid`);
}

function checkResource(resource: string): void {
  if (resource === "*") return;
  if (!resource.startsWith("arn:")) return fail(`Resource ${resource} must be in ARN format or "*".`);
  const parts = splitArn(resource);
  if (parts.length <= 2) fail("Resource vendor must be fully qualified and cannot contain regexes.");
  if (parts.length < 6) {
    if (parts.length === 5 || parts[2] === "") fail(LEGACY);
    return;
  }
  const [, partition = "", service = ""] = parts;
  if (partition === "") fail(LEGACY);
  if (!PARTITIONS.has(partition) && !/[*?$]/.test(partition)) fail(`Partition "${partition}" is not valid for resource "${resource}".`);
  if (service === "" || /[*?]/.test(service)) fail("Resource vendor must be fully qualified and cannot contain regexes.");
}

/** An ARN's six parts: the first five colons separate, the resource part keeps any further ones. */
export function splitArn(arn: string): string[] {
  const parts: string[] = [];
  let rest = arn;
  for (let i = 0; i < 5; i++) {
    const at = rest.indexOf(":");
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts;
}

function principalOf(value: unknown, kind: PolicyKind): PrincipalBlock {
  if (value === "*") return "*";
  if (!isObject(value)) return fail(SYNTAX);
  const block: Record<string, readonly string[]> = {};
  for (const [type, raw] of Object.entries(value)) {
    if (!["AWS", "Service", "Federated", "CanonicalUser"].includes(type)) fail(SYNTAX);
    const values = stringsOf(raw);
    if (kind === "trust" && type === "AWS") for (const v of values) checkAwsPrincipal(v);
    block[type] = values;
  }
  return block;
}

function checkAwsPrincipal(value: string): void {
  if (value === "*" || /^\d{12}$/.test(value) || /^arn:aws[a-z-]*:(iam|sts)::(\d{12}|aws):.+/.test(value)) return;
  fail(`Invalid principal in policy: "AWS":"${value}"`);
}

function conditionsOf(value: unknown): ConditionTest[] {
  if (!isObject(value)) return fail(SYNTAX);
  const tests: ConditionTest[] = [];
  for (const [written, block] of Object.entries(value)) {
    const parsed = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(written);
    const operator = parsed?.[2] ?? "";
    if (!CONDITION_OPERATORS.has(operator) || (operator === "Null" && parsed?.[3] !== undefined)) fail(SYNTAX);
    if (!isObject(block)) fail(SYNTAX);
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      if (!key.includes(":")) fail(NEEDS_VENDOR);
      const list = Array.isArray(raw) ? raw : [raw];
      const values = list.map((v) => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : fail(SYNTAX)));
      if (operator.startsWith("Date")) for (const v of values) if (Number.isNaN(parseDate(v))) fail(LEGACY);
      tests.push({ operator, set: parsed?.[1] as ConditionTest["set"], ifExists: parsed?.[3] !== undefined, key, values });
    }
  }
  return tests;
}

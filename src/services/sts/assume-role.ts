/**
 * STS AssumeRole: temporary credentials that act as the role for a named session, capped by the
 * session policies given. Whether the caller may assume the role (the role's trust policy, and the
 * caller's own sts:AssumeRole permission) is decided before this runs, by IAM enforcement
 * (src/auth/iam-enforcer.ts, `--iam enforce`); here the role must exist and the session be well formed.
 */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { MalformedPolicyError, parsePolicy, requestTagKeys, type ActionRequest, type ContextValue } from "../../core/iam-policy/index.js";
import type { OperationContext, Operation } from "../../protocol/codecs/model-service.js";
import type { UnkaiRequest } from "../../protocol/http.js";
import type { IamStore } from "../../store/ports.js";
import type { RoleSessionIssuer } from "./index.js";
import { assumedRoleIdentity, identityOf } from "./identity.js";
import { inheritedTags, sessionTagsOf } from "./session-tags.js";

interface AssumeRoleInput {
  readonly RoleArn: string;
  readonly RoleSessionName: string;
  readonly DurationSeconds?: number;
  readonly Policy?: string;
  readonly PolicyArns?: readonly { readonly arn?: string }[];
  readonly Tags?: readonly { readonly Key: string; readonly Value: string }[];
  readonly TransitiveTagKeys?: readonly string[];
  readonly ExternalId?: string;
}

/**
 * What AssumeRole asks IAM for: sts:AssumeRole on the role, and sts:TagSession on it when the new session
 * gets tags (passed in `Tags`, or inherited as the calling session's transitive tags), each with the
 * request's condition keys (`aws:RequestTag/<key>`, `aws:TagKeys`, `sts:TransitiveTagKeys`,
 * `sts:TransitiveTag/<key>` for inherited tags, `sts:ExternalId`, `sts:RoleSessionName`) for the trust
 * policy's conditions.
 */
export function assumeRoleNeeds(raw: Record<string, unknown>, request: UnkaiRequest): readonly ActionRequest[] {
  const input = raw as Partial<AssumeRoleInput>;
  const resource = typeof input.RoleArn === "string" ? input.RoleArn : "*";
  const keys: Record<string, ContextValue> = { ...(input.Tags?.length ? requestTagKeys({ Tags: input.Tags }) : {}) };
  const inherited = Object.entries(inheritedTags(request.caller.principal));
  for (const [key, value] of inherited) keys[`sts:TransitiveTag/${key}`] = value;
  if (input.TransitiveTagKeys !== undefined) keys["sts:TransitiveTagKeys"] = [...input.TransitiveTagKeys];
  if (input.ExternalId !== undefined) keys["sts:ExternalId"] = input.ExternalId;
  if (input.RoleSessionName !== undefined) keys["sts:RoleSessionName"] = input.RoleSessionName;
  const assume = { action: "sts:AssumeRole", resource, keys };
  return input.Tags?.length || inherited.length > 0 ? [assume, { action: "sts:TagSession", resource, keys }] : [assume];
}

/** STS's limit on an inline session policy, in characters (AWS STS API Reference, AssumeRole "Policy"). */
const SESSION_POLICY_CHARS = 2_048;

export interface AssumeRoleDeps {
  readonly iam: IamStore;
  readonly account: Account;
  readonly issuer: RoleSessionIssuer;
  readonly roleOf: (functionName: string) => Promise<string | undefined>;
  readonly now: () => number;
}

function sessionPolicy(document: string | undefined): string | undefined {
  if (document === undefined) return undefined;
  try {
    parsePolicy(document, "identity");
  } catch (error) {
    if (error instanceof MalformedPolicyError) throw new UnkaiError("MalformedPolicyDocument", error.message);
    throw error;
  }
  if (document.replace(/\s/g, "").length > SESSION_POLICY_CHARS) throw new UnkaiError("PackedPolicyTooLarge", "Packed size of the policy exceeds the maximum allowed.");
  return document;
}

export function assumeRoleOperation({ iam, account, issuer, roleOf, now }: AssumeRoleDeps): Operation {
  return async (input: AssumeRoleInput, ctx: OperationContext) => {
    const principal = ctx.caller.principal;
    if (principal.kind === "key") throw new UnkaiError("AccessDenied", "Roles may not be assumed by root accounts.");
    const caller = await identityOf(principal, account, roleOf, async (name) => iam.get("user", name));
    const roleName = input.RoleArn.slice(input.RoleArn.lastIndexOf("/") + 1);
    const role = await iam.get("role", roleName);
    const session = role?.arn === input.RoleArn ? assumedRoleIdentity(role.arn, input.RoleSessionName) : undefined;
    if (!role || !session) throw new UnkaiError("AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`);
    const durationSeconds = input.DurationSeconds ?? 3600;
    if (durationSeconds > (role.maxSessionDurationSeconds ?? 3600)) {
      throw new UnkaiError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
    const policy = sessionPolicy(input.Policy);
    const arns = (input.PolicyArns ?? []).map((p) => p.arn ?? "");
    const tagged = sessionTagsOf(input.Tags, input.TransitiveTagKeys, principal);
    const credentials = await issuer.issueRoleSession({
      kind: "role-session", roleArn: role.arn, sessionName: input.RoleSessionName,
      ...(policy !== undefined ? { sessionPolicy: policy } : {}), ...(arns.length > 0 ? { sessionPolicyArns: arns } : {}),
      ...(tagged ? { sessionTags: tagged.tags, transitiveTagKeys: tagged.transitiveTagKeys } : {}),
    }, now() + durationSeconds * 1000);
    return {
      Credentials: {
        AccessKeyId: credentials.accessKeyId, SecretAccessKey: credentials.secretAccessKey, SessionToken: credentials.sessionToken, Expiration: new Date(credentials.expiresAtMs),
      },
      AssumedRoleUser: { AssumedRoleId: `${role.id}:${input.RoleSessionName}`, Arn: session.arn },
    };
  };
}

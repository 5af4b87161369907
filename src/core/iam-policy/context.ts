/**
 * The request context: the global condition keys Unkai can know truthfully for a request
 * (IAM User Guide, "AWS global condition context keys"), lower-cased as the evaluator looks them up.
 * Services add their own keys (`s3:prefix`, `lambda:FunctionArn`) through `extra`.
 */
import type { ContextValue, RequestContext, RequestPrincipal } from "./types.js";

export interface RequestFacts {
  readonly action: string;
  readonly resource: string;
  readonly principal: RequestPrincipal;
  /** The IAM user's name (`aws:username`); only for IAM users. */
  readonly userName?: string | undefined;
  /** `aws:userid`: the user's or role's unique id (`AIDA…`, `AROA…:session`). */
  readonly userId?: string | undefined;
  readonly principalTags?: Readonly<Record<string, string>> | undefined;
  readonly resourceTags?: Readonly<Record<string, string>> | undefined;
  /** The key family `resourceTags` are given as: `aws:ResourceTag` unless said (an S3 object's are `s3:ExistingObjectTag`). */
  readonly resourceTagKey?: string | undefined;
  readonly requestTags?: Readonly<Record<string, string>> | undefined;
  /** The client's address; omitted for service-to-service calls, where AWS has none either. */
  readonly sourceIp?: string | undefined;
  readonly secureTransport: boolean;
  readonly now: Date;
  readonly region: string;
  /** For a service acting for a resource (S3 notifying Lambda): that resource's ARN and account. */
  readonly sourceArn?: string | undefined;
  readonly sourceAccount?: string | undefined;
  /** Service-specific keys, as written in the Service Authorization Reference (`s3:prefix`). */
  readonly extra?: Readonly<Record<string, ContextValue>> | undefined;
}

const PRINCIPAL_TYPE: Readonly<Record<RequestPrincipal["type"], string | undefined>> = {
  root: "Account",
  user: "User",
  "assumed-role": "AssumedRole",
  service: undefined,
  anonymous: "Anonymous",
};

function putTags(keys: Map<string, ContextValue>, prefix: string, tags: Readonly<Record<string, string>> | undefined): void {
  for (const [tag, value] of Object.entries(tags ?? {})) keys.set(`${prefix}/${tag}`.toLowerCase(), value);
}

/** Builds the RequestContext the evaluator takes. */
export function requestContext(facts: RequestFacts): RequestContext {
  const keys = new Map<string, ContextValue>();
  const set = (key: string, value: ContextValue | undefined) => {
    if (value !== undefined) keys.set(key.toLowerCase(), value);
  };
  const { principal } = facts;
  if (principal.type === "service") set("aws:PrincipalServiceName", principal.arn);
  else if (principal.type !== "anonymous") {
    set("aws:PrincipalArn", principal.roleArn ?? principal.arn);
    set("aws:PrincipalAccount", principal.accountId);
  }
  set("aws:PrincipalType", PRINCIPAL_TYPE[principal.type]);
  set("aws:username", principal.type === "user" ? facts.userName : undefined);
  set("aws:userid", facts.userId);
  putTags(keys, "aws:PrincipalTag", facts.principalTags);
  putTags(keys, facts.resourceTagKey ?? "aws:ResourceTag", facts.resourceTags);
  putTags(keys, "aws:RequestTag", facts.requestTags);
  if (facts.requestTags !== undefined) set("aws:TagKeys", Object.keys(facts.requestTags));
  set("aws:SourceIp", facts.sourceIp);
  set("aws:SecureTransport", String(facts.secureTransport));
  set("aws:CurrentTime", facts.now.toISOString().replace(/\.\d{3}Z$/, "Z"));
  set("aws:EpochTime", String(Math.floor(facts.now.getTime() / 1000)));
  set("aws:RequestedRegion", facts.region);
  set("aws:SourceArn", facts.sourceArn);
  set("aws:SourceAccount", facts.sourceAccount);
  for (const [key, value] of Object.entries(facts.extra ?? {})) set(key, value);
  return { action: facts.action, resource: facts.resource, principal, keys };
}

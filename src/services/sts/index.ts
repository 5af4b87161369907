/**
 * AWS STS on the awsQuery protocol: form-encoded `Action=…&Version=2011-06-15` (POST body or GET
 * query), answered in STS's XML. GetCallerIdentity only, for now; the IAM issue extends it.
 */
import type { Logger } from "pino";
import type { Account } from "../../core/arn.js";
import type { ActionRequest } from "../../core/iam-policy/index.js";
import type { Service, UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { Platform, ServiceModule } from "../module.js";
import { STS_ERRORS, StsError, stsAuthRefusal, stsErrorResponse } from "./errors.js";
import { identityOf } from "./identity.js";
import { STS_NAMESPACE, xmlText } from "./xml.js";

const VERSION = "2011-06-15";

/** STS's operations (service model 2011-06-15): a query `Action=` naming one of them is STS's to answer even unsigned. */
const STS_ACTIONS = new Set([
  "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "AssumeRoot", "DecodeAuthorizationMessage",
  "GetAccessKeyInfo", "GetCallerIdentity", "GetFederationToken", "GetSessionToken",
]);

export interface StsDeps {
  readonly account: Account;
  /** A function's execution role ARN (for its session credentials' identity), undefined when it is gone. */
  readonly roleOf: (functionName: string) => Promise<string | undefined>;
  readonly logger: Logger;
}

/**
 * The request's parameters: the form body of a POST (any content type but JSON, as botocore and the
 * SDKs send `application/x-www-form-urlencoded; charset=utf-8`), then the query string; the first
 * value of a repeated name wins, as on AWS.
 */
function parameters(request: UnkaiRequest): URLSearchParams {
  const params = request.method === "POST" ? new URLSearchParams(request.body.toString("utf8")) : new URLSearchParams();
  for (const [name, value] of request.query) if (!params.has(name)) params.append(name, value);
  return params;
}

/**
 * STS's operations → IAM actions: GetCallerIdentity needs no permission (AWS never denies it);
 * AssumeRole needs sts:AssumeRole on the role (and the role's trust policy, checked by AssumeRole itself).
 */
export function stsActions(request: UnkaiRequest): readonly ActionRequest[] {
  const params = parameters(request);
  switch (params.get("Action")) {
    case "AssumeRole":
      return [{ action: "sts:AssumeRole", resource: params.get("RoleArn") ?? "*" }];
    case "GetSessionToken":
      return [{ action: "sts:GetSessionToken", resource: "*" }];
    default:
      // GetCallerIdentity, and the operations Unkai refuses as InvalidAction.
      return [];
  }
}

async function getCallerIdentity(deps: StsDeps, request: UnkaiRequest): Promise<UnkaiResponse> {
  const identity = await identityOf(request.caller.principal, deps.account, deps.roleOf);
  const body =
    `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}"><GetCallerIdentityResult>` +
    `<Arn>${xmlText(identity.arn)}</Arn><UserId>${xmlText(identity.userId)}</UserId><Account>${identity.account}</Account>` +
    `</GetCallerIdentityResult><ResponseMetadata><RequestId>${request.requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
  return { status: 200, headers: { "Content-Type": "text/xml" }, body };
}

async function route(deps: StsDeps, request: UnkaiRequest): Promise<UnkaiResponse> {
  const params = parameters(request);
  const action = params.get("Action");
  // AWS redirects a request without an Action to its IAM web page; Unkai says what is missing.
  if (action === null) throw new StsError("MissingAction", "The request must name an Action, such as Action=GetCallerIdentity&Version=2011-06-15.");
  const version = params.get("Version") ?? "NO_VERSION_SPECIFIED";
  if (action === "GetCallerIdentity" && version === VERSION) return getCallerIdentity(deps, request);
  const missing = STS_ACTIONS.has(action) && version === VERSION ? " (Unkai's STS implements GetCallerIdentity only)" : "";
  throw new StsError("InvalidAction", `Could not find operation ${action} for version ${version}${missing}`);
}

export function stsService(deps: StsDeps): Service {
  return {
    name: "sts",
    signingNames: ["sts"],
    authorize: stsActions,
    matches: (request) => request.caller.service === "sts" || STS_ACTIONS.has(request.query.get("Action") ?? ""),
    rejectUnauthenticated: stsAuthRefusal,
    async handle(request) {
      try {
        return await route(deps, request);
      } catch (error) {
        if (error instanceof StsError) return stsErrorResponse(error, request.requestId);
        deps.logger.error({ err: error }, "internal error in the STS API");
        return stsErrorResponse(new StsError("InternalFailure", "The request processing has failed because of an unknown error."), request.requestId);
      }
    },
  };
}

export const stsModule: ServiceModule = {
  name: "sts",
  errors: { kind: "xml", table: STS_ERRORS, heading: "## STS errors" },
  compatibility: "docs/compatibility/sts.md",
  create: (p: Platform) => stsService({ account: p.account, roleOf: async (name) => (await p.functions.find(name))?.config.role, logger: p.logger("sts") }),
};

/**
 * AWS STS on the awsQuery protocol (`Action=…&Version=2011-06-15`, POST body or GET query), built on
 * STS's service model (models/sts.json): the codec decodes, validates and answers in STS's XML.
 * GetCallerIdentity and AssumeRole (assume-role.ts).
 */
import type { Logger } from "pino";
import type { Account } from "../../core/arn.js";
import type { ActionRequest } from "../../core/iam-policy/index.js";
import { loadModel } from "../../protocol/codecs/model.js";
import { modelService, type OperationContext } from "../../protocol/codecs/model-service.js";
import type { Principal, Service, UnkaiRequest } from "../../protocol/http.js";
import type { IamStore } from "../../store/ports.js";
import type { Platform, ServiceModule } from "../module.js";
import { STS_ERRORS } from "./errors.js";
import { assumeRoleNeeds, assumeRoleOperation } from "./assume-role.js";
import { identityOf } from "./identity.js";

/** Issues an AssumeRole session's credentials (src/auth/unkai-credentials.ts). */
export interface RoleSessionIssuer {
  issueRoleSession(
    principal: Extract<Principal, { kind: "role-session" }>, expiresAtMs: number,
  ): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiresAtMs: number }>;
}

export interface StsDeps {
  readonly account: Account;
  /** A function's execution role ARN (for its session credentials' identity), undefined when it is gone. */
  readonly roleOf: (functionName: string) => Promise<string | undefined>;
  readonly logger: Logger;
  readonly iam: IamStore;
  readonly issuer: RoleSessionIssuer;
  readonly now?: () => number;
}

/**
 * STS's operations → IAM actions: GetCallerIdentity needs no permission (AWS never denies it);
 * AssumeRole needs sts:AssumeRole on the role, and sts:TagSession too when the session gets tags (passed,
 * or inherited as the calling session's transitive tags); the role's trust policy must allow both.
 */
const STS_AUTHORIZATION: Readonly<Record<string, (input: Record<string, unknown>, request: UnkaiRequest) => readonly ActionRequest[]>> = {
  GetCallerIdentity: () => [],
  AssumeRole: assumeRoleNeeds,
  GetSessionToken: () => [{ action: "sts:GetSessionToken", resource: "*" }],
};

export function stsService(deps: StsDeps): Service {
  return modelService({
    name: "sts",
    model: loadModel("sts"),
    errors: STS_ERRORS,
    signingNames: ["sts"],
    logger: deps.logger,
    authorization: STS_AUTHORIZATION,
    operations: {
      async GetCallerIdentity(_input: object, ctx: OperationContext) {
        const identity = await identityOf(ctx.caller.principal, deps.account, deps.roleOf, async (name) => deps.iam.get("user", name));
        // AWS's order (the model lists UserId first).
        return { Arn: identity.arn, UserId: identity.userId, Account: identity.account };
      },
      AssumeRole: assumeRoleOperation({ ...deps, now: deps.now ?? Date.now }),
    },
  });
}

export const stsModule: ServiceModule = {
  name: "sts",
  errors: { kind: "xml", table: STS_ERRORS, heading: "## STS errors" },
  compatibility: "docs/compatibility/sts.md",
  create: (p: Platform) => stsService({
    account: p.account, roleOf: async (name) => (await p.functions.find(name))?.config.role, logger: p.logger("sts"), iam: p.store.iam, issuer: p.credentials,
  }),
};

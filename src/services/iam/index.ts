/**
 * AWS IAM on the awsQuery protocol, built on IAM's service model (models/iam.json): users, groups, roles
 * with trust policies, inline policies, customer managed policies and the AWS managed policies Unkai seeds,
 * attached to users and roles. Documents are validated as IAM validates them (src/core/iam-policy/).
 * Enforcement (`--iam enforce`, src/auth/iam-enforcer.ts) reads roles and policies from the same store: docs/iam.md.
 */
import type { Account } from "../../core/arn.js";
import { findManagedPolicy, requestTagKeys, type ActionRequest } from "../../core/iam-policy/index.js";
import { loadModel } from "../../protocol/codecs/model.js";
import { modelService, type Operation } from "../../protocol/codecs/model-service.js";
import type { Service } from "../../protocol/http.js";
import type { InstanceProfileRecord } from "../../core/iam.js";
import type { AccessKeyStore, DocumentStore, IamStore } from "../../store/ports.js";
import type { Logger } from "pino";
import type { Platform, ServiceModule } from "../module.js";
import { accessKeyOperations } from "./access-keys.js";
import { IAM_ERRORS } from "./errors.js";
import { groupOperations } from "./groups.js";
import { tagOperations } from "./tags.js";
import { managedPolicyOperations } from "./managed.js";
import { inlinePolicyOperations, principalOperations } from "./principals.js";
import { authorizationDetailsOperations } from "./authorization-details.js";
import { simulateOperations } from "./simulate.js";
import { instanceProfileOperations } from "./instance-profiles.js";
import { boundaryOperations } from "./boundaries.js";

export interface IamDeps {
  readonly iam: IamStore;
  /** Where IAM users' access keys live, beside the account root's. */
  readonly keys: AccessKeyStore;
  readonly instanceProfiles: DocumentStore<InstanceProfileRecord>;
  readonly account: Account;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * Every IAM operation is `iam:<Operation>` on the user, role or policy it names (the ARN without the
 * entity's path, which the request does not carry); SimulatePrincipalPolicy the principal simulated; listings name `*`; attaching carries `iam:PolicyARN`.
 */
function iamAuthorization(account: Account, operations: readonly string[]): Record<string, (input: Record<string, unknown>) => readonly ActionRequest[]> {
  const str = (value: unknown) => (typeof value === "string" ? value : undefined);
  const resolve = (operation: string) => (input: Record<string, unknown>): readonly ActionRequest[] => {
    const role = str(input.RoleName);
    const user = str(input.UserName);
    const group = str(input.GroupName);
    const policyArn = str(input.PolicyArn);
    const profile = str(input.InstanceProfileName);
    const created = operation === "CreatePolicy" ? `arn:aws:iam::${account.accountId}:policy${str(input.Path) ?? "/"}${str(input.PolicyName) ?? ""}` : undefined;
    // A group operation naming a user too (AddUserToGroup) is about the group, as IAM authorizes it.
    // An instance profile operation naming a role too (AddRoleToInstanceProfile) is about the profile.
    const resource = profile !== undefined ? `arn:aws:iam::${account.accountId}:instance-profile/${profile}`
      : role !== undefined ? `arn:aws:iam::${account.accountId}:role/${role}`
      : group !== undefined ? `arn:aws:iam::${account.accountId}:group/${group}`
      : user !== undefined ? `arn:aws:iam::${account.accountId}:user/${user}`
      : (policyArn ?? created ?? str(input.PolicySourceArn) ?? "*");
    const policyKeys = policyArn !== undefined && /^(Attach|Detach)/.test(operation) ? { "iam:PolicyARN": policyArn } : undefined;
    // Tag*/Untag* and the creates that take Tags: aws:RequestTag/<key>, aws:TagKeys.
    const tagKeys = requestTagKeys(input);
    const keys = policyKeys || tagKeys ? { ...policyKeys, ...tagKeys } : undefined;
    return [{ action: `iam:${operation}`, resource, keys }];
  };
  return Object.fromEntries(operations.map((operation) => [operation, resolve(operation)]));
}

export function iamService({ iam, keys, instanceProfiles, account, logger, now = Date.now }: IamDeps): Service {
  const operations: Record<string, Operation> = {
    ...principalOperations(iam, keys, instanceProfiles, account, now),
    ...accessKeyOperations(iam, keys, now),
    ...inlinePolicyOperations(iam),
    ...groupOperations(iam, account, now),
    ...tagOperations(iam, account, (arn) => arn.startsWith("arn:aws:iam::aws:") && findManagedPolicy(arn) !== undefined),
    ...managedPolicyOperations(iam, account, now),
    ...simulateOperations(iam, account),
    ...authorizationDetailsOperations(iam, instanceProfiles),
    ...instanceProfileOperations(iam, instanceProfiles, account, now),
    ...boundaryOperations(iam),
  };
  return modelService({
    name: "iam", model: loadModel("iam"), errors: IAM_ERRORS, operations, signingNames: ["iam"], logger,
    authorization: iamAuthorization(account, Object.keys(operations)),
  });
}

export const iamModule: ServiceModule = {
  name: "iam",
  errors: { kind: "xml", table: IAM_ERRORS, heading: "## IAM errors" },
  compatibility: "docs/compatibility/iam.md",
  create: (p: Platform) => iamService({ iam: p.store.iam, keys: p.store.accessKeys, instanceProfiles: p.store.iamInstanceProfiles, account: p.account, logger: p.logger("iam") }),
};

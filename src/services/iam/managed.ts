/** Managed policies: the AWS managed ones Unkai seeds (read-only) and customer managed ones, and attaching them. */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { IamEntity } from "../../core/iam.js";
import { findManagedPolicy, MANAGED_POLICIES, managedPolicyArn, type ManagedPolicy } from "../../core/iam-policy/index.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { IamStore } from "../../store/ports.js";
import { checkDocument, POLICY_SIZE_LIMITS } from "./documents.js";
import { iamId } from "./ids.js";
import { policyUsageOperations, refuseWhileInUse } from "./policy-usage.js";
import { policyVersionOperations } from "./policy-versions.js";
import { KIND_NAMES, requirePrincipal } from "./principals.js";
import { mergeTags, storedPolicy, tagList, type TagInput } from "./tags.js";
import { page, type PageInput } from "./paging.js";

/** A managed policy as the operations see it, whichever kind it is. */
export interface AnyPolicy {
  readonly name: string;
  readonly arn: string;
  readonly id: string;
  readonly path: string;
  readonly document: string;
  readonly versionId: string;
  readonly createdAt: number;
  readonly description: string | undefined;
  readonly local: boolean;
}

/** AWS's own policies carry no creation time in Unkai's data; IAM's epoch for them is as good as any. */
const AWS_POLICY_DATE = Date.parse("2015-02-06T18:39:46Z");

export const fromAws = (p: ManagedPolicy): AnyPolicy => ({
  name: p.name, arn: managedPolicyArn(p), id: `ANPA${p.name.toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 17).padEnd(17, "A")}`,
  path: p.path, document: JSON.stringify(p.document), versionId: p.versionId, createdAt: AWS_POLICY_DATE, description: p.description, local: false,
});
export const fromStore = (e: IamEntity): AnyPolicy => ({
  name: e.name, arn: e.arn, id: e.id, path: e.path, document: e.document ?? "", versionId: e.defaultVersionId ?? "v1", createdAt: e.createdAt, description: e.description, local: true,
});

/** A managed policy as GetPolicy, ListPolicies and GetAccountAuthorizationDetails answer it. */
export const policyShape = async (iam: IamStore, p: AnyPolicy) => ({
  PolicyName: p.name, PolicyId: p.id, Arn: p.arn, Path: p.path, DefaultVersionId: p.versionId,
  AttachmentCount: await iam.attachmentCount(p.arn), PermissionsBoundaryUsageCount: (await iam.boundedBy(p.arn)).length, IsAttachable: true,
  ...(p.description !== undefined ? { Description: p.description } : {}),
  CreateDate: new Date(p.createdAt), UpdateDate: new Date(p.createdAt),
});

export function managedPolicyOperations(iam: IamStore, account: Account, now: () => number): Record<string, Operation> {
  const find = async (arn: string): Promise<AnyPolicy | undefined> => {
    const aws = arn.startsWith("arn:aws:iam::aws:policy/") ? findManagedPolicy(arn) : undefined;
    if (aws) return fromAws(aws);
    const stored = await storedPolicy(iam, account, arn);
    return stored ? fromStore(stored) : undefined;
  };
  const require = async (arn: string) => {
    const policy = await find(arn);
    if (!policy) throw new UnkaiError("NoSuchEntity", `Policy ${arn} does not exist or is not attachable.`);
    return policy;
  };
  const shape = (p: AnyPolicy) => policyShape(iam, p);

  const ops: Record<string, Operation> = {
    ...policyVersionOperations(iam, require, now),
    ...policyUsageOperations(iam, require),
    async CreatePolicy(input: { PolicyName: string; PolicyDocument: string; Path?: string; Description?: string } & TagInput) {
      checkDocument(input.PolicyDocument, "managed", POLICY_SIZE_LIMITS.managed, `Cannot exceed quota for PolicySize: ${POLICY_SIZE_LIMITS.managed}`);
      const path = input.Path ?? "/";
      const entity: IamEntity = {
        kind: "policy", name: input.PolicyName, id: iamId("ANPA"), arn: `arn:aws:iam::${account.accountId}:policy${path}${input.PolicyName}`,
        path, createdAt: now(), document: input.PolicyDocument, description: input.Description, tags: mergeTags(undefined, input.Tags),
      };
      if (!(await iam.create(entity))) throw new UnkaiError("EntityAlreadyExists", `A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
      return { Policy: { ...(await shape(fromStore(entity))), ...tagList(entity) } };
    },
    async GetPolicy(input: { PolicyArn: string }) {
      // Tags only here and in CreatePolicy: IAM's listings leave them out.
      const policy = await require(input.PolicyArn);
      return { Policy: { ...(await shape(policy)), ...tagList((await storedPolicy(iam, account, policy.arn)) ?? {}) } };
    },
    async ListPolicies(input: { Scope?: "All" | "AWS" | "Local"; OnlyAttached?: boolean; PathPrefix?: string } & PageInput) {
      const scope = input.Scope ?? "All";
      const all = [...(scope === "Local" ? [] : MANAGED_POLICIES.map(fromAws)), ...(scope === "AWS" ? [] : (await iam.list("policy")).map(fromStore))];
      const shaped = await Promise.all(all.filter((p) => p.path.startsWith(input.PathPrefix ?? "/")).map(shape));
      const { items, info } = page(input.OnlyAttached ? shaped.filter((p) => p.AttachmentCount > 0) : shaped, input, (p) => p.Arn);
      return { Policies: items, ...info };
    },
    async DeletePolicy(input: { PolicyArn: string }) {
      const policy = await require(input.PolicyArn);
      if (input.PolicyArn.startsWith("arn:aws:iam::aws:")) throw new UnkaiError("InvalidInput", `ARN ${input.PolicyArn} is an AWS managed policy; it cannot be deleted.`);
      await refuseWhileInUse(iam, policy.arn);
      if ((await iam.policyVersions(policy.name)).length > 1) {
        throw new UnkaiError("DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
      }
      await iam.delete("policy", policy.name);
    },
  };
  for (const kind of ["user", "role", "group"] as const) {
    const { Kind, nameOf } = KIND_NAMES[kind];
    ops[`Attach${Kind}Policy`] = async (input: { UserName?: string; RoleName?: string; GroupName?: string; PolicyArn: string }) => {
      const principal = await requirePrincipal(iam, kind, nameOf(input));
      const policy = await require(input.PolicyArn);
      if ((await iam.attached(kind, principal.name)).length >= 10 && !(await iam.attached(kind, principal.name)).includes(policy.arn)) {
        throw new UnkaiError("LimitExceeded", `Cannot exceed quota for PoliciesPerUser: 10`.replace("User", Kind));
      }
      await iam.attach(kind, principal.name, policy.arn);
    };
    ops[`Detach${Kind}Policy`] = async (input: { UserName?: string; RoleName?: string; GroupName?: string; PolicyArn: string }) => {
      const principal = await requirePrincipal(iam, kind, nameOf(input));
      if (!(await iam.detach(kind, principal.name, input.PolicyArn))) throw new UnkaiError("NoSuchEntity", `Policy ${input.PolicyArn} was not found.`);
    };
    ops[`ListAttached${Kind}Policies`] = async (input: { UserName?: string; RoleName?: string; GroupName?: string } & PageInput) => {
      const principal = await requirePrincipal(iam, kind, nameOf(input));
      const { items, info } = page(await iam.attached(kind, principal.name), input, (arn) => arn);
      const named = await Promise.all(items.map(async (arn) => ({ PolicyName: (await find(arn))?.name ?? arn.split("/").pop() ?? arn, PolicyArn: arn })));
      return { AttachedPolicies: named, ...info };
    };
  }
  return ops;
}

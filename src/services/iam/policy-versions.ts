/**
 * Customer managed policies' versions (Create/Get/List/Delete/SetDefault): at most five, the default one
 * in effect. The store keeps the default's document on the policy itself, which enforcement reads. AWS
 * managed policies have the one version Unkai seeds.
 */
import { UnkaiError } from "../../core/errors.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { IamStore } from "../../store/ports.js";
import { checkDocument, encodeDocument, POLICY_SIZE_LIMITS } from "./documents.js";
import { page, type PageInput } from "./paging.js";

/** IAM's quota: five versions per managed policy. */
const VERSIONS_PER_POLICY = 5;

/** What these operations need to know of a policy, whichever kind it is. */
export interface VersionedPolicy {
  readonly name: string;
  readonly arn: string;
  readonly document: string;
  readonly versionId: string;
  readonly createdAt: number;
  /** False for AWS managed policies: read-only. */
  readonly local: boolean;
}

interface VersionInput { readonly PolicyArn: string; readonly VersionId: string; readonly PolicyDocument: string; readonly SetAsDefault?: boolean }

export function policyVersionOperations(iam: IamStore, require: (arn: string) => Promise<VersionedPolicy>, now: () => number): Record<string, Operation> {
  const versionsOf = async (policy: VersionedPolicy) =>
    policy.local ? iam.policyVersions(policy.name) : [{ versionId: policy.versionId, document: policy.document, createdAt: policy.createdAt }];
  const local = async (arn: string) => {
    const policy = await require(arn);
    if (!policy.local) throw new UnkaiError("InvalidInput", `ARN ${arn} is an AWS managed policy; it cannot be modified.`);
    return policy;
  };
  const noVersion = (input: VersionInput) => new UnkaiError("NoSuchEntity", `Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
  return {
    async CreatePolicyVersion(input: VersionInput) {
      const policy = await local(input.PolicyArn);
      checkDocument(input.PolicyDocument, "managed", POLICY_SIZE_LIMITS.managed, `Cannot exceed quota for PolicySize: ${POLICY_SIZE_LIMITS.managed}`);
      if ((await iam.policyVersions(policy.name)).length >= VERSIONS_PER_POLICY) {
        throw new UnkaiError("LimitExceeded", `A managed policy can have up to ${VERSIONS_PER_POLICY} versions. Before you create a new version, you must delete an existing version.`);
      }
      const createdAt = now();
      const versionId = await iam.addPolicyVersion(policy.name, input.PolicyDocument, createdAt, input.SetAsDefault === true);
      return { PolicyVersion: { VersionId: versionId, IsDefaultVersion: input.SetAsDefault === true, CreateDate: new Date(createdAt) } };
    },
    async GetPolicyVersion(input: VersionInput) {
      const policy = await require(input.PolicyArn);
      const version = (await versionsOf(policy)).find((v) => v.versionId === input.VersionId);
      if (!version) throw noVersion(input);
      return { PolicyVersion: { Document: encodeDocument(version.document), VersionId: version.versionId, IsDefaultVersion: version.versionId === policy.versionId, CreateDate: new Date(version.createdAt) } };
    },
    async ListPolicyVersions(input: VersionInput & PageInput) {
      const policy = await require(input.PolicyArn);
      // Newest first, as IAM lists them.
      const { items, info } = page((await versionsOf(policy)).reverse(), input, (v) => v.versionId);
      return { Versions: items.map((v) => ({ VersionId: v.versionId, IsDefaultVersion: v.versionId === policy.versionId, CreateDate: new Date(v.createdAt) })), ...info };
    },
    async DeletePolicyVersion(input: VersionInput) {
      const policy = await local(input.PolicyArn);
      if (input.VersionId === policy.versionId) throw new UnkaiError("DeleteConflict", "Cannot delete the default version of a policy.");
      if (!(await iam.deletePolicyVersion(policy.name, input.VersionId))) throw noVersion(input);
    },
    async SetDefaultPolicyVersion(input: VersionInput) {
      const policy = await local(input.PolicyArn);
      if (!(await iam.setDefaultPolicyVersion(policy.name, input.VersionId))) throw noVersion(input);
    },
  };
}

/**
 * GetAccountAuthorizationDetails: every user, group, role and managed policy with the policies that
 * apply to it, in one answer (IsTruncated is always false: Unkai answers the whole account at once).
 * Documents are URL-encoded, as IAM returns them.
 */
import { UnkaiError } from "../../core/errors.js";
import type { IamEntity, IamPrincipalKind, InstanceProfileRecord } from "../../core/iam.js";
import { MANAGED_POLICIES } from "../../core/iam-policy/index.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { DocumentStore, IamStore } from "../../store/ports.js";
import { instanceProfileShape, profilesOf } from "./instance-profiles.js";
import { encodeDocument } from "./documents.js";
import { fromAws, fromStore, policyShape, type AnyPolicy } from "./managed.js";
import { tagList } from "./tags.js";

const FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"] as const;
type Filter = (typeof FILTERS)[number];

export function authorizationDetailsOperations(iam: IamStore, profiles: DocumentStore<InstanceProfileRecord>): Record<string, Operation> {
  const inline = async (kind: IamPrincipalKind, name: string) =>
    (await iam.inlinePolicies(kind, name)).map((p) => ({ PolicyName: p.policyName, PolicyDocument: encodeDocument(p.document) }));
  // A managed policy's name is the last segment of its ARN (paths come before it).
  const attached = async (kind: IamPrincipalKind, name: string) =>
    (await iam.attached(kind, name)).map((arn) => ({ PolicyName: arn.slice(arn.lastIndexOf("/") + 1), PolicyArn: arn }));
  const base = (e: IamEntity) => ({ Path: e.path, Arn: e.arn, CreateDate: new Date(e.createdAt) });

  const user = async (e: IamEntity) => ({
    ...base(e), UserName: e.name, UserId: e.id, UserPolicyList: await inline("user", e.name), GroupList: await iam.groupsOf(e.name),
    AttachedManagedPolicies: await attached("user", e.name), ...tagList(e),
  });
  const group = async (e: IamEntity) => ({
    ...base(e), GroupName: e.name, GroupId: e.id, GroupPolicyList: await inline("group", e.name), AttachedManagedPolicies: await attached("group", e.name),
  });
  const role = async (e: IamEntity) => ({
    ...base(e), RoleName: e.name, RoleId: e.id, AssumeRolePolicyDocument: encodeDocument(e.document ?? ""),
    InstanceProfileList: await Promise.all((await profilesOf(profiles, e.name)).map((p) => instanceProfileShape(iam, p))), RolePolicyList: await inline("role", e.name), AttachedManagedPolicies: await attached("role", e.name), ...tagList(e),
  });
  const policy = async (p: AnyPolicy) => {
    const versions = p.local ? await iam.policyVersions(p.name) : [{ versionId: p.versionId, document: p.document, createdAt: p.createdAt }];
    return {
      ...(await policyShape(iam, p)),
      PolicyVersionList: versions.map((v) => ({
        Document: encodeDocument(v.document), VersionId: v.versionId, IsDefaultVersion: v.versionId === p.versionId, CreateDate: new Date(v.createdAt),
      })),
    };
  };

  return {
    async GetAccountAuthorizationDetails(input: { Filter?: readonly string[] }) {
      const unknown = (input.Filter ?? []).find((f) => !(FILTERS as readonly string[]).includes(f));
      if (unknown !== undefined) throw new UnkaiError("ValidationError", `1 validation error detected: Value '${unknown}' at 'filter' failed to satisfy constraint: Member must satisfy enum value set: [${FILTERS.join(", ")}]`);
      const wanted = new Set<Filter>((input.Filter?.length ?? 0) > 0 ? (input.Filter as Filter[]) : FILTERS);
      // AWS managed policies are listed only where something in the account uses them, as IAM does.
      const awsPolicies = wanted.has("AWSManagedPolicy") ? await Promise.all(MANAGED_POLICIES.map(fromAws).map(async (p) => ((await iam.attachmentCount(p.arn)) > 0 ? p : undefined))) : [];
      const local = wanted.has("LocalManagedPolicy") ? (await iam.list("policy")).map(fromStore) : [];
      return {
        UserDetailList: wanted.has("User") ? await Promise.all((await iam.list("user")).map(user)) : [],
        GroupDetailList: wanted.has("Group") ? await Promise.all((await iam.list("group")).map(group)) : [],
        RoleDetailList: wanted.has("Role") ? await Promise.all((await iam.list("role")).map(role)) : [],
        Policies: await Promise.all([...local, ...awsPolicies.filter((p) => p !== undefined)].map(policy)),
        IsTruncated: false,
      };
    },
  };
}

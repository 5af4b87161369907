/**
 * IAM tags: users' and roles' (Tag/Untag/List{User,Role}Tags, and Tags on CreateUser/CreateRole; they are
 * `aws:PrincipalTag/<key>` in the principal's requests), customer managed policies' (Tag/Untag/ListPolicyTags)
 * and instance profiles' (instance-profiles.ts). One set of rules for all: 50 per entity, keys unique ignoring case.
 */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { setOwn } from "../../core/own-keys.js";
import type { IamEntity } from "../../core/iam.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { IamStore } from "../../store/ports.js";
import { KIND_NAMES, requirePrincipal } from "./principals.js";
import { page, type PageInput } from "./paging.js";

/** IAM's quota: 50 tags per user, role, policy or instance profile. */
const TAGS_PER_ENTITY = 50;

type Tags = Readonly<Record<string, string>>;

export interface TagInput { readonly Tags?: readonly { readonly Key: string; readonly Value: string }[]; readonly TagKeys?: readonly string[] }

/** The tags after adding `added` to `current` (keys compare case-insensitively, as IAM's do; the new spelling wins); LimitExceeded past 50. */
export function mergeTags(current: Tags | undefined, added: TagInput["Tags"]): Record<string, string> {
  const merged: Record<string, string> = { ...current };
  for (const { Key, Value } of added ?? []) {
    for (const existing of Object.keys(merged)) if (existing.toLowerCase() === Key.toLowerCase()) delete merged[existing];
    setOwn(merged, Key, Value);
  }
  if (Object.keys(merged).length > TAGS_PER_ENTITY) throw new UnkaiError("LimitExceeded", `The number of tags has reached the maximum limit of ${TAGS_PER_ENTITY}.`);
  return merged;
}

/** The tags without `keys` (compared ignoring case); keys that are not there are ignored, as IAM does. */
export function removeTags(current: Tags | undefined, keys: TagInput["TagKeys"]): Record<string, string> {
  const removed = new Set((keys ?? []).map((k) => k.toLowerCase()));
  return Object.fromEntries(Object.entries(current ?? {}).filter(([k]) => !removed.has(k.toLowerCase())));
}

/** IAM's `Tags` list, or nothing when there are none (Get* answers leave the member out). */
export const tagList = (entity: { readonly tags?: Tags | undefined }) =>
  entity.tags && Object.keys(entity.tags).length > 0 ? { Tags: Object.entries(entity.tags).map(([Key, Value]) => ({ Key, Value })) } : {};

/** A List*Tags answer: the tags, paged by key. */
export function listTags(tags: Tags | undefined, input: PageInput) {
  const { items, info } = page(tagList({ tags }).Tags ?? [], input, (tag) => tag.Key);
  return { Tags: items, ...info };
}

/** The customer managed policy an ARN names, from the store; undefined for AWS's own or an unknown one. */
export async function storedPolicy(iam: IamStore, account: Account, arn: string): Promise<IamEntity | undefined> {
  const match = new RegExp(`^arn:aws:iam::${account.accountId}:policy(/(?:.*/)?)([^/]+)$`).exec(arn);
  const stored = match?.[2] === undefined ? undefined : await iam.get("policy", match[2]);
  return stored && stored.arn === arn ? stored : undefined;
}

function policyTagOperations(iam: IamStore, account: Account, isAwsPolicy: (arn: string) => boolean): Record<string, Operation> {
  /** A customer policy to tag; AWS's own take no tags ("not supported for policies in this domain", as IAM answers). */
  const taggable = async (arn: string): Promise<IamEntity> => {
    const stored = await storedPolicy(iam, account, arn);
    if (stored) return stored;
    if (isAwsPolicy(arn)) throw new UnkaiError("InvalidInput", "Tags not supported for policies in this domain");
    throw new UnkaiError("NoSuchEntity", `Policy ${arn} does not exist or is not attachable.`);
  };
  return {
    async TagPolicy(input: TagInput & { PolicyArn: string }) {
      const policy = await taggable(input.PolicyArn);
      await iam.setTags("policy", policy.name, mergeTags(policy.tags, input.Tags));
    },
    async UntagPolicy(input: TagInput & { PolicyArn: string }) {
      const policy = await taggable(input.PolicyArn);
      await iam.setTags("policy", policy.name, removeTags(policy.tags, input.TagKeys));
    },
    async ListPolicyTags(input: { PolicyArn: string } & PageInput) {
      // An AWS managed policy exists and has no tags.
      if (isAwsPolicy(input.PolicyArn)) return listTags(undefined, input);
      return listTags((await taggable(input.PolicyArn)).tags, input);
    },
  };
}

export function tagOperations(iam: IamStore, account: Account, isAwsPolicy: (arn: string) => boolean): Record<string, Operation> {
  const ops: Record<string, Operation> = { ...policyTagOperations(iam, account, isAwsPolicy) };
  for (const kind of ["user", "role"] as const) {
    const { Kind, nameOf } = KIND_NAMES[kind];
    ops[`Tag${Kind}`] = async (input: TagInput & { UserName?: string; RoleName?: string }) => {
      const entity = await requirePrincipal(iam, kind, nameOf(input));
      await iam.setTags(kind, entity.name, mergeTags(entity.tags, input.Tags));
    };
    ops[`Untag${Kind}`] = async (input: TagInput & { UserName?: string; RoleName?: string }) => {
      const entity = await requirePrincipal(iam, kind, nameOf(input));
      await iam.setTags(kind, entity.name, removeTags(entity.tags, input.TagKeys));
    };
    ops[`List${Kind}Tags`] = async (input: { UserName?: string; RoleName?: string } & PageInput) =>
      listTags((await requirePrincipal(iam, kind, nameOf(input))).tags, input);
  }
  return ops;
}

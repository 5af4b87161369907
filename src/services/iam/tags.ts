/** Users' and roles' tags (Tag/Untag/List{User,Role}Tags, and Tags on CreateUser/CreateRole); they are `aws:PrincipalTag/<key>` in the principal's requests. */
import { UnkaiError } from "../../core/errors.js";
import type { IamEntity } from "../../core/iam.js";
import type { Operation } from "../../protocol/codecs/model-service.js";
import type { IamStore } from "../../store/ports.js";
import { KIND_NAMES, requirePrincipal } from "./principals.js";
import { page, type PageInput } from "./paging.js";

/** IAM's quota: 50 tags per user or role. */
const TAGS_PER_ENTITY = 50;

export interface TagInput { readonly Tags?: readonly { readonly Key: string; readonly Value: string }[]; readonly TagKeys?: readonly string[] }

/** The tags after adding `added` to `current` (keys compare case-insensitively, as IAM's do; the new spelling wins); LimitExceeded past 50. */
export function mergeTags(current: Readonly<Record<string, string>> | undefined, added: TagInput["Tags"]): Record<string, string> {
  const merged: Record<string, string> = { ...current };
  for (const { Key, Value } of added ?? []) {
    for (const existing of Object.keys(merged)) if (existing.toLowerCase() === Key.toLowerCase()) delete merged[existing];
    merged[Key] = Value;
  }
  if (Object.keys(merged).length > TAGS_PER_ENTITY) throw new UnkaiError("LimitExceeded", `The number of tags has reached the maximum limit of ${TAGS_PER_ENTITY}.`);
  return merged;
}

/** IAM's `Tags` list, or nothing when there are none (GetUser/GetRole leave the member out). */
export const tagList = (entity: IamEntity) =>
  entity.tags && Object.keys(entity.tags).length > 0 ? { Tags: Object.entries(entity.tags).map(([Key, Value]) => ({ Key, Value })) } : {};

export function tagOperations(iam: IamStore): Record<string, Operation> {
  const ops: Record<string, Operation> = {};
  for (const kind of ["user", "role"] as const) {
    const { Kind, nameOf } = KIND_NAMES[kind];
    ops[`Tag${Kind}`] = async (input: TagInput & { UserName?: string; RoleName?: string }) => {
      const entity = await requirePrincipal(iam, kind, nameOf(input));
      await iam.setTags(kind, entity.name, mergeTags(entity.tags, input.Tags));
    };
    ops[`Untag${Kind}`] = async (input: TagInput & { UserName?: string; RoleName?: string }) => {
      const entity = await requirePrincipal(iam, kind, nameOf(input));
      const removed = new Set((input.TagKeys ?? []).map((k) => k.toLowerCase()));
      await iam.setTags(kind, entity.name, Object.fromEntries(Object.entries(entity.tags ?? {}).filter(([k]) => !removed.has(k.toLowerCase()))));
    };
    ops[`List${Kind}Tags`] = async (input: { UserName?: string; RoleName?: string } & PageInput) => {
      const entity = await requirePrincipal(iam, kind, nameOf(input));
      const { items, info } = page(tagList(entity).Tags ?? [], input, (tag) => tag.Key);
      return { Tags: items, ...info };
    };
  }
  return ops;
}

/**
 * IAM users' access keys (Create/List/Update/DeleteAccessKey, GetAccessKeyLastUsed). They live beside the account root's keys
 * (`unkai keys`) in the AccessKeyStore, marked with their user, so the SigV4 verifier finds them in the
 * same lookup and IAM enforcement evaluates them as that user (docs/iam.md).
 */
import { newAccessKeyId, newSecretAccessKey } from "../../auth/access-keys.js";
import { UnkaiError } from "../../core/errors.js";
import type { Operation, OperationContext } from "../../protocol/codecs/model-service.js";
import type { AccessKeyRecord, AccessKeyStore, IamStore } from "../../store/ports.js";
import { requirePrincipal } from "./principals.js";
import { page, type PageInput } from "./paging.js";

/** IAM's quota: two access keys per user (IAM User Guide, "IAM and AWS STS quotas"). */
const KEYS_PER_USER = 2;

interface KeyInput {
  readonly UserName?: string;
  readonly AccessKeyId?: string;
  readonly Status?: "Active" | "Inactive";
}

/** The user a request names, or the calling user's own name (as IAM does when UserName is omitted). */
function userNameOf(input: KeyInput, ctx: OperationContext): string {
  if (input.UserName !== undefined) return input.UserName;
  const principal = ctx.caller.principal;
  if (principal.kind === "user") return principal.userName;
  throw new UnkaiError("ValidationError", "Unkai makes the account root's access keys with `unkai keys create`; name a UserName to manage an IAM user's keys.");
}

const metadata = (key: AccessKeyRecord) => ({ UserName: key.userName, AccessKeyId: key.accessKeyId, Status: key.status ?? "Active", CreateDate: new Date(key.createdAt) });

export function accessKeyOperations(iam: IamStore, keys: AccessKeyStore, now: () => number): Record<string, Operation> {
  const keysOf = async (userName: string) => (await keys.list()).filter((k) => k.userName !== undefined && k.userName.toLowerCase() === userName.toLowerCase());
  /** The named key of the named (or calling) user, or NoSuchEntity. */
  const userKey = async (input: KeyInput, ctx: OperationContext) => {
    const user = await requirePrincipal(iam, "user", userNameOf(input, ctx));
    const key = (await keysOf(user.name)).find((k) => k.accessKeyId === input.AccessKeyId);
    if (!key) throw new UnkaiError("NoSuchEntity", `The Access Key with id ${input.AccessKeyId ?? ""} cannot be found.`);
    return key;
  };
  return {
    async CreateAccessKey(input: KeyInput, ctx) {
      const user = await requirePrincipal(iam, "user", userNameOf(input, ctx));
      if ((await keysOf(user.name)).length >= KEYS_PER_USER) throw new UnkaiError("LimitExceeded", `Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
      const key: AccessKeyRecord = { accessKeyId: newAccessKeyId("AKIA"), secretAccessKey: newSecretAccessKey(), name: user.name, createdAt: now(), userName: user.name };
      await keys.add(key);
      return { AccessKey: { ...metadata(key), SecretAccessKey: key.secretAccessKey } };
    },
    async ListAccessKeys(input: KeyInput & PageInput, ctx) {
      const user = await requirePrincipal(iam, "user", userNameOf(input, ctx));
      const { items, info } = page(await keysOf(user.name), input, (key) => key.accessKeyId);
      return { AccessKeyMetadata: items.map(metadata), ...info };
    },
    async DeleteAccessKey(input: KeyInput, ctx) {
      const key = await userKey(input, ctx);
      await keys.remove(key.accessKeyId);
    },
    async UpdateAccessKey(input: KeyInput, ctx) {
      const key = await userKey(input, ctx);
      await keys.setStatus(key.accessKeyId, input.Status ?? "Active");
    },
    // Any caller IAM lets call it may ask about any user's key, as on AWS; the root's keys are not IAM's.
    async GetAccessKeyLastUsed(input: KeyInput) {
      const key = await keys.get(input.AccessKeyId ?? "");
      if (key?.userName === undefined) throw new UnkaiError("NoSuchEntity", `The Access Key with id ${input.AccessKeyId ?? ""} cannot be found.`);
      const used = key.lastUsed;
      return {
        UserName: key.userName,
        AccessKeyLastUsed: used ? { LastUsedDate: new Date(used.atMs), ServiceName: used.service, Region: used.region } : { ServiceName: "N/A", Region: "N/A" },
      };
    },
  };
}

/** DeleteUser refuses while the user has keys, as IAM does. */
export async function refuseWhileKeys(keys: AccessKeyStore, userName: string): Promise<void> {
  if ((await keys.list()).some((k) => k.userName?.toLowerCase() === userName.toLowerCase())) {
    throw new UnkaiError("DeleteConflict", "Cannot delete entity, must delete access keys first.");
  }
}

/** SQLite IamStore: entities keyed by kind and lower-cased name (IAM names are unique ignoring case); writes fsynced. */
import type { IamEntity, IamEntityKind } from "../../core/iam.js";
import type { IamStore } from "../ports.js";
import { iamEntityFrom, tagsColumn, type IamEntityRow } from "../rows/iam-entity-row.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

const key = (name: string) => name.toLowerCase();

export function sqliteIamStore(db: Db): SyncPort<IamStore> {
  const get = db.prepare<[string, string], IamEntityRow>("SELECT * FROM iam_entities WHERE kind = ? AND name_key = ?");
  const list = db.prepare<[string], IamEntityRow>("SELECT * FROM iam_entities WHERE kind = ? ORDER BY name");
  const insert = db.prepare(
    "INSERT OR IGNORE INTO iam_entities (kind, name, name_key, id, arn, path, created_at, document, description, max_session_seconds, default_version, tags, version_seq, permissions_boundary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const remove = db.prepare("DELETE FROM iam_entities WHERE kind = ? AND name_key = ?");
  const updateRole = db.prepare(
    "UPDATE iam_entities SET document = COALESCE(?, document), description = COALESCE(?, description), max_session_seconds = COALESCE(?, max_session_seconds) WHERE kind = 'role' AND name_key = ?",
  );
  const setTags = db.prepare("UPDATE iam_entities SET tags = ? WHERE kind = ? AND name_key = ?");
  const setBoundary = db.prepare("UPDATE iam_entities SET permissions_boundary = ? WHERE kind = ? AND name_key = ?");
  const removeInlineAll = db.prepare("DELETE FROM iam_inline_policies WHERE kind = ? AND principal_key = ?");
  const removeAttachedAll = db.prepare("DELETE FROM iam_attachments WHERE kind = ? AND principal_key = ?");
  const putInline = db.prepare("INSERT OR REPLACE INTO iam_inline_policies (kind, principal_key, policy_name, document) VALUES (?, ?, ?, ?)");
  const inline = db.prepare<[string, string], { policy_name: string; document: string }>(
    "SELECT policy_name, document FROM iam_inline_policies WHERE kind = ? AND principal_key = ? ORDER BY policy_name",
  );
  const removeInline = db.prepare("DELETE FROM iam_inline_policies WHERE kind = ? AND principal_key = ? AND policy_name = ?");
  const attach = db.prepare(
    "INSERT OR IGNORE INTO iam_attachments (kind, principal_key, policy_arn, seq) VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM iam_attachments))",
  );
  const detach = db.prepare("DELETE FROM iam_attachments WHERE kind = ? AND principal_key = ? AND policy_arn = ?");
  const attached = db.prepare<[string, string], { policy_arn: string }>("SELECT policy_arn FROM iam_attachments WHERE kind = ? AND principal_key = ? ORDER BY seq");
  const attachmentCount = db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM iam_attachments WHERE policy_arn = ?");
  const attachedTo = db.prepare<[string], IamEntityRow>(
    "SELECT e.* FROM iam_attachments a JOIN iam_entities e ON e.kind = a.kind AND e.name_key = a.principal_key WHERE a.policy_arn = ? ORDER BY e.kind, e.name",
  );
  const boundedBy = db.prepare<[string], IamEntityRow>("SELECT * FROM iam_entities WHERE permissions_boundary = ? ORDER BY kind, name");
  const members = membership(db);
  const versions = policyVersions(db);

  return {
    get: (kind, name) => {
      const row = get.get(kind, key(name));
      return row ? iamEntityFrom(row) : undefined;
    },
    create: durably(db, (e: IamEntity) => {
      const defaultVersion = e.kind === "policy" ? "v1" : null;
      const created = insert.run(e.kind, e.name, key(e.name), e.id, e.arn, e.path, e.createdAt, e.document ?? null, e.description ?? null, e.maxSessionDurationSeconds ?? null, defaultVersion, tagsColumn(e.tags), e.kind === "policy" ? 1 : null, e.permissionsBoundary ?? null).changes > 0;
      if (created && e.kind === "policy") versions.first(key(e.name), e.document ?? "", e.createdAt);
      return created;
    }),
    delete: durably(db, (kind: IamEntityKind, name: string) => {
      if (kind === "policy") versions.removeAll(key(name));
      else {
        removeInlineAll.run(kind, key(name));
        removeAttachedAll.run(kind, key(name));
        members.removeAll(kind, key(name));
      }
      return remove.run(kind, key(name)).changes > 0;
    }),
    list: (kind) => list.all(kind).map(iamEntityFrom),
    putInlinePolicy: durably(db, (kind, principal, policy) => {
      putInline.run(kind, key(principal), policy.policyName, policy.document);
    }),
    inlinePolicies: (kind, principal) => inline.all(kind, key(principal)).map((r) => ({ policyName: r.policy_name, document: r.document })),
    deleteInlinePolicy: durably(db, (kind, principal, policyName) => removeInline.run(kind, key(principal), policyName).changes > 0),
    attach: durably(db, (kind, principal, policyArn) => {
      attach.run(kind, key(principal), policyArn);
    }),
    detach: durably(db, (kind, principal, policyArn) => detach.run(kind, key(principal), policyArn).changes > 0),
    attached: (kind, principal) => attached.all(kind, key(principal)).map((r) => r.policy_arn),
    attachmentCount: (policyArn) => attachmentCount.get(policyArn)?.n ?? 0,
    attachedTo: (policyArn) => attachedTo.all(policyArn).map(iamEntityFrom),
    boundedBy: (policyArn) => boundedBy.all(policyArn).map(iamEntityFrom),
    addMember: durably(db, (group: string, user: string) => members.add(key(group), key(user))),
    removeMember: durably(db, (group: string, user: string) => members.remove(key(group), key(user))),
    members: (group) => members.usersOf(key(group)),
    groupsOf: (user) => members.groupsOf(key(user)),
    policyVersions: (policy) => versions.all(key(policy)),
    addPolicyVersion: durably(db, (policy: string, document: string, createdAt: number, makeDefault: boolean) => versions.add(key(policy), document, createdAt, makeDefault)),
    setDefaultPolicyVersion: durably(db, (policy: string, versionId: string) => versions.makeDefault(key(policy), versionId)),
    deletePolicyVersion: durably(db, (policy: string, versionId: string) => versions.remove(key(policy), versionId)),
    setTags: durably(db, (kind: string, name: string, tags: Readonly<Record<string, string>>) => setTags.run(tagsColumn(tags), kind, key(name)).changes > 0),
    setPermissionsBoundary: durably(db, (kind: string, name: string, policyArn: string | undefined) => setBoundary.run(policyArn ?? null, kind, key(name)).changes > 0),
    updateRole: durably(db, (name: string, change: RoleChange) =>
      updateRole.run(change.document ?? null, change.description ?? null, change.maxSessionDurationSeconds ?? null, key(name)).changes > 0),
  };
}

type RoleChange = Parameters<IamStore["updateRole"]>[1];

/** Group membership rows, both sides by lower-cased name; listings answer the entities' own spelling. */
function membership(db: Db) {
  const add = db.prepare("INSERT OR IGNORE INTO iam_group_members (group_key, user_key) VALUES (?, ?)");
  const remove = db.prepare("DELETE FROM iam_group_members WHERE group_key = ? AND user_key = ?");
  const byGroup = db.prepare("DELETE FROM iam_group_members WHERE group_key = ?");
  const byUser = db.prepare("DELETE FROM iam_group_members WHERE user_key = ?");
  const users = db.prepare<[string], { name: string }>(
    "SELECT e.name FROM iam_group_members m JOIN iam_entities e ON e.kind = 'user' AND e.name_key = m.user_key WHERE m.group_key = ? ORDER BY e.name",
  );
  const groups = db.prepare<[string], { name: string }>(
    "SELECT e.name FROM iam_group_members m JOIN iam_entities e ON e.kind = 'group' AND e.name_key = m.group_key WHERE m.user_key = ? ORDER BY e.name",
  );
  return {
    add: (group: string, user: string) => add.run(group, user).changes > 0,
    remove: (group: string, user: string) => remove.run(group, user).changes > 0,
    removeAll: (kind: string, name: string) => (kind === "group" ? byGroup : byUser).run(name),
    usersOf: (group: string) => users.all(group).map((r) => r.name),
    groupsOf: (user: string) => groups.all(user).map((r) => r.name),
  };
}

/** Policy versions numbered per policy; the default's document is copied into iam_entities, which enforcement reads. */
function policyVersions(db: Db) {
  const all = db.prepare<[string], { seq: number; document: string; created_at: number }>("SELECT seq, document, created_at FROM iam_policy_versions WHERE policy_key = ? ORDER BY seq");
  const insert = db.prepare("INSERT INTO iam_policy_versions (policy_key, seq, document, created_at) VALUES (?, ?, ?, ?)");
  const next = db.prepare<[string], number>("UPDATE iam_entities SET version_seq = version_seq + 1 WHERE kind = 'policy' AND name_key = ? RETURNING version_seq").pluck();
  const one = db.prepare<[string, number], { document: string }>("SELECT document FROM iam_policy_versions WHERE policy_key = ? AND seq = ?");
  const setDefault = db.prepare("UPDATE iam_entities SET document = ?, default_version = ? WHERE kind = 'policy' AND name_key = ?");
  const remove = db.prepare("DELETE FROM iam_policy_versions WHERE policy_key = ? AND seq = ?");
  const removeAll = db.prepare("DELETE FROM iam_policy_versions WHERE policy_key = ?");
  const seqOf = (versionId: string) => (/^v[1-9]\d{0,8}$/.test(versionId) ? Number(versionId.slice(1)) : 0);
  const makeDefault = (policy: string, versionId: string) => {
    const found = one.get(policy, seqOf(versionId));
    return found !== undefined && setDefault.run(found.document, versionId, policy).changes > 0;
  };
  return {
    all: (policy: string) => all.all(policy).map((r) => ({ versionId: `v${r.seq}`, document: r.document, createdAt: r.created_at })),
    first: (policy: string, document: string, createdAt: number) => insert.run(policy, 1, document, createdAt),
    add: (policy: string, document: string, createdAt: number, asDefault: boolean) => {
      const seq = next.get(policy) ?? 1;
      insert.run(policy, seq, document, createdAt);
      if (asDefault) makeDefault(policy, `v${seq}`);
      return `v${seq}`;
    },
    makeDefault,
    remove: (policy: string, versionId: string) => remove.run(policy, seqOf(versionId)).changes > 0,
    removeAll: (policy: string) => removeAll.run(policy),
  };
}

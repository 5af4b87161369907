/** PostgreSQL IamStore: entities keyed by kind and lower-cased name (IAM names are unique ignoring case). */
import type { IamStore } from "../ports.js";
import { iamEntityFrom, tagsColumn, type IamEntityRow } from "../rows/iam-entity-row.js";
import type { PgDb } from "./database.js";

const key = (name: string) => name.toLowerCase();

export function pgIamStore(db: PgDb): IamStore {
  return {
    async get(kind, name) {
      const row = (await db.query<IamEntityRow>("SELECT * FROM iam_entities WHERE kind = $1 AND name_key = $2", [kind, key(name)])).rows[0];
      return row ? iamEntityFrom(row) : undefined;
    },
    create: (e) =>
      db.transaction(async (tx) => {
        const result = await tx.query(
          `INSERT INTO iam_entities (kind, name, name_key, id, arn, path, created_at, document, description, max_session_seconds, default_version, tags, version_seq, permissions_boundary)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING`,
          [e.kind, e.name, key(e.name), e.id, e.arn, e.path, e.createdAt, e.document ?? null, e.description ?? null, e.maxSessionDurationSeconds ?? null,
            e.kind === "policy" ? "v1" : null, tagsColumn(e.tags), e.kind === "policy" ? 1 : null, e.permissionsBoundary ?? null],
        );
        const created = (result.rowCount ?? 0) > 0;
        if (created && e.kind === "policy") {
          await tx.query("INSERT INTO iam_policy_versions (policy_key, seq, document, created_at) VALUES ($1, 1, $2, $3)", [key(e.name), e.document ?? "", e.createdAt]);
        }
        return created;
      }),
    delete: (kind, name) =>
      db.transaction(async (tx) => {
        if (kind === "policy") await tx.query("DELETE FROM iam_policy_versions WHERE policy_key = $1", [key(name)]);
        else {
          await tx.query("DELETE FROM iam_inline_policies WHERE kind = $1 AND principal_key = $2", [kind, key(name)]);
          await tx.query("DELETE FROM iam_attachments WHERE kind = $1 AND principal_key = $2", [kind, key(name)]);
          await tx.query(`DELETE FROM iam_group_members WHERE ${kind === "group" ? "group_key" : "user_key"} = $1`, [key(name)]);
        }
        return ((await tx.query("DELETE FROM iam_entities WHERE kind = $1 AND name_key = $2", [kind, key(name)])).rowCount ?? 0) > 0;
      }),
    list: async (kind) => (await db.query<IamEntityRow>("SELECT * FROM iam_entities WHERE kind = $1 ORDER BY name", [kind])).rows.map(iamEntityFrom),
    async putInlinePolicy(kind, principal, policy) {
      await db.query(
        `INSERT INTO iam_inline_policies (kind, principal_key, policy_name, document) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, principal_key, policy_name) DO UPDATE SET document = EXCLUDED.document`,
        [kind, key(principal), policy.policyName, policy.document],
      );
    },
    inlinePolicies: async (kind, principal) =>
      (await db.query<{ policy_name: string; document: string }>(
        "SELECT policy_name, document FROM iam_inline_policies WHERE kind = $1 AND principal_key = $2 ORDER BY policy_name", [kind, key(principal)],
      )).rows.map((r) => ({ policyName: r.policy_name, document: r.document })),
    deleteInlinePolicy: async (kind, principal, policyName) =>
      ((await db.query("DELETE FROM iam_inline_policies WHERE kind = $1 AND principal_key = $2 AND policy_name = $3", [kind, key(principal), policyName])).rowCount ?? 0) > 0,
    async attach(kind, principal, policyArn) {
      await db.query(
        "INSERT INTO iam_attachments (kind, principal_key, policy_arn) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [kind, key(principal), policyArn],
      );
    },
    detach: async (kind, principal, policyArn) =>
      ((await db.query("DELETE FROM iam_attachments WHERE kind = $1 AND principal_key = $2 AND policy_arn = $3", [kind, key(principal), policyArn])).rowCount ?? 0) > 0,
    attached: async (kind, principal) =>
      (await db.query<{ policy_arn: string }>("SELECT policy_arn FROM iam_attachments WHERE kind = $1 AND principal_key = $2 ORDER BY seq", [kind, key(principal)])).rows.map((r) => r.policy_arn),
    attachmentCount: async (policyArn) =>
      Number((await db.query<{ n: string }>("SELECT COUNT(*) AS n FROM iam_attachments WHERE policy_arn = $1", [policyArn])).rows[0]?.n ?? 0),
    attachedTo: async (policyArn) => (await db.query<IamEntityRow>(
      "SELECT e.* FROM iam_attachments a JOIN iam_entities e ON e.kind = a.kind AND e.name_key = a.principal_key WHERE a.policy_arn = $1 ORDER BY e.kind, e.name", [policyArn],
    )).rows.map(iamEntityFrom),
    boundedBy: async (policyArn) =>
      (await db.query<IamEntityRow>("SELECT * FROM iam_entities WHERE permissions_boundary = $1 ORDER BY kind, name", [policyArn])).rows.map(iamEntityFrom),
    addMember: async (group, user) =>
      ((await db.query("INSERT INTO iam_group_members (group_key, user_key) VALUES ($1, $2) ON CONFLICT DO NOTHING", [key(group), key(user)])).rowCount ?? 0) > 0,
    removeMember: async (group, user) =>
      ((await db.query("DELETE FROM iam_group_members WHERE group_key = $1 AND user_key = $2", [key(group), key(user)])).rowCount ?? 0) > 0,
    members: async (group) => (await db.query<{ name: string }>(
      "SELECT e.name FROM iam_group_members m JOIN iam_entities e ON e.kind = 'user' AND e.name_key = m.user_key WHERE m.group_key = $1 ORDER BY e.name", [key(group)],
    )).rows.map((r) => r.name),
    groupsOf: async (user) => (await db.query<{ name: string }>(
      "SELECT e.name FROM iam_group_members m JOIN iam_entities e ON e.kind = 'group' AND e.name_key = m.group_key WHERE m.user_key = $1 ORDER BY e.name", [key(user)],
    )).rows.map((r) => r.name),
    ...pgPolicyVersions(db),
    setTags: async (kind, name, tags) =>
      ((await db.query("UPDATE iam_entities SET tags = $1 WHERE kind = $2 AND name_key = $3", [tagsColumn(tags), kind, key(name)])).rowCount ?? 0) > 0,
    setPermissionsBoundary: async (kind, name, policyArn) =>
      ((await db.query("UPDATE iam_entities SET permissions_boundary = $1 WHERE kind = $2 AND name_key = $3", [policyArn ?? null, kind, key(name)])).rowCount ?? 0) > 0,
    updateRole: async (name, change) => ((await db.query(
      `UPDATE iam_entities SET document = COALESCE($1, document), description = COALESCE($2, description), max_session_seconds = COALESCE($3, max_session_seconds)
       WHERE kind = 'role' AND name_key = $4`,
      [change.document ?? null, change.description ?? null, change.maxSessionDurationSeconds ?? null, key(name)],
    )).rowCount ?? 0) > 0,
  };
}

const seqOf = (versionId: string) => (/^v[1-9]\d{0,8}$/.test(versionId) ? Number(versionId.slice(1)) : 0);

/** Policy versions numbered per policy; the default's document is copied into iam_entities, which enforcement reads. */
function pgPolicyVersions(db: PgDb): Pick<IamStore, "policyVersions" | "addPolicyVersion" | "setDefaultPolicyVersion" | "deletePolicyVersion"> {
  const makeDefault = async (tx: Pick<PgDb, "query">, policy: string, versionId: string) => {
    const result = await tx.query(
      `UPDATE iam_entities e SET document = v.document, default_version = $3 FROM iam_policy_versions v
       WHERE e.kind = 'policy' AND e.name_key = $1 AND v.policy_key = $1 AND v.seq = $2`,
      [policy, seqOf(versionId), versionId],
    );
    return (result.rowCount ?? 0) > 0;
  };
  return {
    policyVersions: async (policy) => (await db.query<{ seq: number; document: string; created_at: string }>(
      "SELECT seq, document, created_at FROM iam_policy_versions WHERE policy_key = $1 ORDER BY seq", [key(policy)],
    )).rows.map((r) => ({ versionId: `v${r.seq}`, document: r.document, createdAt: Number(r.created_at) })),
    addPolicyVersion: (policy, document, createdAt, asDefault) =>
      db.transaction(async (tx) => {
        // The counter's row stays locked until commit, so two concurrent versions cannot take the same number.
        const counted = await tx.query<{ version_seq: number }>(
          "UPDATE iam_entities SET version_seq = version_seq + 1 WHERE kind = 'policy' AND name_key = $1 RETURNING version_seq", [key(policy)],
        );
        const seq = Number(counted.rows[0]?.version_seq);
        await tx.query("INSERT INTO iam_policy_versions (policy_key, seq, document, created_at) VALUES ($1, $2, $3, $4)", [key(policy), seq, document, createdAt]);
        if (asDefault) await makeDefault(tx, key(policy), `v${seq}`);
        return `v${seq}`;
      }),
    setDefaultPolicyVersion: (policy, versionId) => makeDefault(db, key(policy), versionId),
    deletePolicyVersion: async (policy, versionId) =>
      ((await db.query("DELETE FROM iam_policy_versions WHERE policy_key = $1 AND seq = $2", [key(policy), seqOf(versionId)])).rowCount ?? 0) > 0,
  };
}

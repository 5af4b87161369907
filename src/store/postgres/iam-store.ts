/** PostgreSQL IamStore: entities keyed by kind and lower-cased name (IAM names are unique ignoring case). */
import type { IamStore } from "../ports.js";
import { iamEntityFrom, type IamEntityRow } from "../rows/iam-entity-row.js";
import type { PgDb } from "./database.js";

const key = (name: string) => name.toLowerCase();

export function pgIamStore(db: PgDb): IamStore {
  return {
    async get(kind, name) {
      const row = (await db.query<IamEntityRow>("SELECT * FROM iam_entities WHERE kind = $1 AND name_key = $2", [kind, key(name)])).rows[0];
      return row ? iamEntityFrom(row) : undefined;
    },
    async create(e) {
      const result = await db.query(
        `INSERT INTO iam_entities (kind, name, name_key, id, arn, path, created_at, document, description, max_session_seconds)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
        [e.kind, e.name, key(e.name), e.id, e.arn, e.path, e.createdAt, e.document ?? null, e.description ?? null, e.maxSessionDurationSeconds ?? null],
      );
      return (result.rowCount ?? 0) > 0;
    },
    delete: (kind, name) =>
      db.transaction(async (tx) => {
        if (kind !== "policy") {
          await tx.query("DELETE FROM iam_inline_policies WHERE kind = $1 AND principal_key = $2", [kind, key(name)]);
          await tx.query("DELETE FROM iam_attachments WHERE kind = $1 AND principal_key = $2", [kind, key(name)]);
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
  };
}

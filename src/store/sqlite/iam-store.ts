/** SQLite IamStore: entities keyed by kind and lower-cased name (IAM names are unique ignoring case); writes fsynced. */
import type { IamEntity, IamEntityKind } from "../../core/iam.js";
import type { IamStore } from "../ports.js";
import { iamEntityFrom, type IamEntityRow } from "../rows/iam-entity-row.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

const key = (name: string) => name.toLowerCase();

export function sqliteIamStore(db: Db): SyncPort<IamStore> {
  const get = db.prepare<[string, string], IamEntityRow>("SELECT * FROM iam_entities WHERE kind = ? AND name_key = ?");
  const list = db.prepare<[string], IamEntityRow>("SELECT * FROM iam_entities WHERE kind = ? ORDER BY name");
  const insert = db.prepare(
    "INSERT OR IGNORE INTO iam_entities (kind, name, name_key, id, arn, path, created_at, document, description, max_session_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const remove = db.prepare("DELETE FROM iam_entities WHERE kind = ? AND name_key = ?");
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

  return {
    get: (kind, name) => {
      const row = get.get(kind, key(name));
      return row ? iamEntityFrom(row) : undefined;
    },
    create: durably(db, (e: IamEntity) =>
      insert.run(e.kind, e.name, key(e.name), e.id, e.arn, e.path, e.createdAt, e.document ?? null, e.description ?? null, e.maxSessionDurationSeconds ?? null).changes > 0),
    delete: durably(db, (kind: IamEntityKind, name: string) => {
      if (kind !== "policy") {
        removeInlineAll.run(kind, key(name));
        removeAttachedAll.run(kind, key(name));
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
  };
}

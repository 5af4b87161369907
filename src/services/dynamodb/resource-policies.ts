/**
 * Resource-based policies on tables and streams (PutResourcePolicy, GetResourcePolicy,
 * DeleteResourcePolicy, and CreateTable's `ResourcePolicy`): kept in the table's definition with a
 * revision id, and evaluated under IAM enforcement beside the caller's own policies with AWS's
 * same-account logic (src/auth/resource-policies.ts): a statement naming the caller allows by itself, a
 * Deny wins. A table's policy governs the table and its indexes; a stream's governs the stream (DynamoDB
 * Streams' reads). A table created again under the same name starts without its policies.
 */
import { UnkaiError } from "../../core/errors.js";
import { MalformedPolicyError, parsePolicy } from "../../core/iam-policy/index.js";
import type { Account } from "../../core/arn.js";
import type { DynamoDbStore } from "../../store/ports.js";
import { loadTable, type DynamoContext, type LoadedTable } from "./context.js";
import { invalid, type TableDefinition } from "./table-definition.js";
import { changeDefinition } from "./definition-changes.js";

/** AWS's limit on a resource-based policy, whitespace included. */
const MAX_POLICY_BYTES = 20 * 1024;

/** A policy as kept: the document and the revision a conditional change must name. */
export interface KeptPolicy {
  readonly Policy: string;
  readonly RevisionId: string;
}

/** `arn:aws:dynamodb:<region>:<account>:table/<name>[/index/<index> | /stream/<label>]`. */
const DYNAMODB_ARN = /^arn:aws:dynamodb:([^:]+):(\d{12}):table\/([A-Za-z0-9_.-]{3,255})(?:\/(index|stream)\/(.+))?$/;

/** What a resource ARN of this account and Region names: its table, and the index or stream label in it, if any. */
function namedBy(account: Account, arn: string): { table: string; index: string | undefined; stream: string | undefined } | undefined {
  const match = DYNAMODB_ARN.exec(arn);
  if (!match || match[1] !== account.region || match[2] !== account.accountId) return undefined;
  return { table: match[3] as string, index: match[4] === "index" ? match[5] : undefined, stream: match[4] === "stream" ? match[5] : undefined };
}

/** Whether a stream label is one the table has (its latest, enabled or not, or one disabled within the retention). */
const hasStream = (definition: TableDefinition, label: string) => definition.LatestStreamLabel === label || (definition.DisabledStreams ?? []).some((s) => s.Label === label);

const policyOf = (definition: TableDefinition, stream: string | undefined) => (stream === undefined ? definition.ResourcePolicy : definition.StreamPolicies?.[stream]);

function withPolicy(definition: TableDefinition, stream: string | undefined, policy: KeptPolicy | undefined): TableDefinition {
  if (stream === undefined) {
    const { ResourcePolicy: _old, ...rest } = definition;
    return policy ? { ...rest, ResourcePolicy: policy } : rest;
  }
  const streams = { ...definition.StreamPolicies };
  if (policy) streams[stream] = policy;
  else delete streams[stream];
  const { StreamPolicies: _old, ...rest } = definition;
  return Object.keys(streams).length > 0 ? { ...rest, StreamPolicies: streams } : rest;
}

/** A document PutResourcePolicy or CreateTable may keep: a resource policy that parses, within AWS's size. */
function checkedPolicy(policy: string): string {
  if (Buffer.byteLength(policy) > MAX_POLICY_BYTES) throw invalid(`Policy is ${Buffer.byteLength(policy)} bytes; a resource-based policy may have at most ${MAX_POLICY_BYTES} bytes, whitespace included.`);
  try {
    parsePolicy(policy, "resource");
  } catch (error) {
    if (error instanceof MalformedPolicyError) throw invalid(`Invalid policy document: ${error.message}`);
    throw error;
  }
  return policy;
}

/** A revision id after `previous`: the time in ms, always larger than the revision it replaces. */
function nextRevision(nowMs: number, previous: KeptPolicy | undefined): string {
  return String(Math.max(nowMs, Number(previous?.RevisionId ?? 0) + 1));
}

/** The ExpectedRevisionId that asks for no policy to be in force yet. */
const NO_POLICY = "NO_POLICY";

/** Two policy documents alike as JSON (whitespace and key order aside); both parsed when they were kept. */
function samePolicy(a: string, b: string): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(canonical)
      : typeof value === "object" && value !== null ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]))
        : value;
  return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
}

const notFound = (arn: string) => new UnkaiError("PolicyNotFoundException", `Resource-based policy not found for the provided ResourceArn: ${arn}`);

export function resourcePolicyOperations(ctx: DynamoContext) {
  async function target(arn: string): Promise<{ table: LoadedTable; stream: string | undefined }> {
    const named = namedBy(ctx.account, arn);
    if (!named || named.index !== undefined) throw invalid(`ResourceArn ${arn} is neither a table nor a stream ARN of this account and Region.`);
    const table = await loadTable(ctx, named.table, `Requested resource not found: ${named.stream === undefined ? `Table: ${named.table}` : `Stream: ${arn}`} not found`);
    if (named.stream !== undefined && !hasStream(table.definition, named.stream)) throw new UnkaiError("ResourceNotFoundException", `Requested resource not found: Stream: ${arn} not found`);
    return { table, stream: named.stream };
  }

  /**
   * Refuses a change whose ExpectedRevisionId (when given) is not the kept policy's revision, or is
   * `NO_POLICY` while one is kept: PolicyNotFoundException in AWS's words (AWS-verified).
   */
  function expected(arn: string, table: string, kept: KeptPolicy | undefined, revision: string | undefined): void {
    if (revision === undefined) return;
    const refused = (why: string) => new UnkaiError("PolicyNotFoundException", `Resource-based policy not found for the provided ResourceArn: ${why}`);
    if (revision === NO_POLICY) {
      if (kept !== undefined) throw refused(`Requested policy update expecting none to be present for table ${table}, but a policy exists with revision id ${kept.RevisionId}.`);
      return;
    }
    if (kept === undefined) throw notFound(arn);
    if (kept.RevisionId !== revision) throw refused(`Requested update for policy with revision id ${revision}, but the policy associated to target table ${table} has revision id ${kept.RevisionId}.`);
  }

  return {
    async PutResourcePolicy(input: { ResourceArn: string; Policy: string; ExpectedRevisionId?: string }) {
      const policy = checkedPolicy(input.Policy);
      const { table, stream } = await target(input.ResourceArn);
      let revision = "";
      await changeDefinition(ctx, table, ({ definition }) => {
        const kept = policyOf(definition, stream);
        expected(input.ResourceArn, table.name, kept, input.ExpectedRevisionId);
        // The policy already in force again changes nothing and keeps its revision, as on AWS.
        if (kept !== undefined && samePolicy(kept.Policy, policy)) {
          revision = kept.RevisionId;
          return undefined;
        }
        const next = { Policy: policy, RevisionId: nextRevision(ctx.now(), kept) };
        revision = next.RevisionId;
        return withPolicy(definition, stream, next);
      });
      return { RevisionId: revision };
    },

    async GetResourcePolicy(input: { ResourceArn: string }) {
      const { table, stream } = await target(input.ResourceArn);
      const kept = policyOf(table.definition, stream);
      if (!kept) throw notFound(input.ResourceArn);
      return { Policy: kept.Policy, RevisionId: kept.RevisionId };
    },

    async DeleteResourcePolicy(input: { ResourceArn: string; ExpectedRevisionId?: string }) {
      const { table, stream } = await target(input.ResourceArn);
      let revision = "";
      await changeDefinition(ctx, table, ({ definition }) => {
        const kept = policyOf(definition, stream);
        if (!kept) throw notFound(input.ResourceArn);
        expected(input.ResourceArn, table.name, kept, input.ExpectedRevisionId);
        revision = kept.RevisionId;
        return withPolicy(definition, stream, undefined);
      });
      return { RevisionId: revision };
    },
  };
}

/**
 * For IAM enforcement: the policy governing a DynamoDB resource ARN (a table's for the table and its
 * indexes, a stream's for the stream), or undefined when it has none. Another account's or Region's
 * ARN has none.
 */
export function dynamodbResourcePolicyLookup(store: Pick<DynamoDbStore, "table">, account: Account): (resource: string) => Promise<string | undefined> {
  return async (resource) => {
    const named = namedBy(account, resource);
    if (!named) return undefined;
    const record = await store.table(named.table);
    if (!record) return undefined;
    const definition = JSON.parse(record.definition) as TableDefinition;
    return policyOf(definition, named.stream)?.Policy;
  };
}

/** CreateTable's `ResourcePolicy`, checked as PutResourcePolicy checks it; its first revision is the creation time. */
export const createdPolicy = (policy: string, nowMs: number): KeptPolicy => ({ Policy: checkedPolicy(policy), RevisionId: String(nowMs) });

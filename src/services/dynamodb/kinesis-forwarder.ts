/**
 * Kinesis Data Streams for DynamoDB, the delivery half: a background loop that moves each destination's
 * captured changes (kinesis-capture.ts) to its Kinesis stream, in capture order, through Kinesis's own
 * append path (Platform.destinations → Kinesis's `sendBatch`, one PutRecords-like append per batch), so
 * GetRecords, SubscribeToShard and Lambda's mappings see them as any record put.
 *
 * Where it got to is the checkpoint of a ShardLeaseStore lease per capture stream, saved after each
 * batch under the lease's token: after a restart it goes on after the last batch appended, and on a
 * cluster one node at a time forwards a table's changes (the lease's holder; another takes over once it
 * lapses or its node's heartbeat stops). A batch appended just before a crash, or by a node that lost its
 * lease, is appended again: at least once, with possible duplicates, as AWS's destination is.
 *
 * A DISABLING destination is drained, then DISABLED; one whose stream is gone, or refuses a change as too
 * large for a record, becomes ENABLE_FAILED (and captures no more; a DISABLING one DISABLED) rather than
 * block or drop changes silently. Captured changes not forwarded within the stream records' retention (24 hours,
 * `--stream-retention-ms`) are trimmed with DynamoDB Streams' records.
 */
import type { Logger } from "pino";
import { MissingTargetError, type Destinations } from "../../async/destinations.js";
import { UnkaiError } from "../../core/errors.js";
import { Periodic } from "../../core/periodic.js";
import type { ShardLeaseStore } from "../../store/ports.js";
import { loadedTable, type DynamoContext, type LoadedTable } from "./context.js";
import { capturedRecord, kinesisCaptureStream } from "./kinesis-capture.js";
import { settleDestination } from "./kinesis-destinations.js";
import type { KinesisDestination } from "./table-definition.js";

export interface KinesisForwarderDeps {
  readonly destinations: Destinations;
  readonly leases: ShardLeaseStore;
  /** The name this node's leases are taken under (Platform.nodeName). */
  readonly owner: string;
  readonly logger: Logger;
  /** How often destinations are looked for and their new changes forwarded. */
  readonly intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 250;
/** A lease lasts this long unrenewed; every look renews it. */
const LEASE_MS = 30_000;
/** Records read and appended at a time: PutRecords' count, and well under its 5 MiB. */
const BATCH_RECORDS = 500;
const BATCH_BYTES = 4 * 1024 * 1024;
const TABLES_PER_PAGE = 100;

/** How far this node forwarded each capture stream, so an idle one is not claimed at every look. */
type Forwarded = Map<string, number>;

/** The lease key of a capture stream (a trailing `/`, so removing it by prefix removes no other). */
const leaseKey = (captureStream: string) => `dynamodb-kinesis/${captureStream}/`;

/** Starts with the service and stops with it; one pass at a time. */
export function kinesisForwarder(ctx: DynamoContext, deps: KinesisForwarderDeps): { start(): void; close(): Promise<void> } {
  let passing = false;
  const forwarded: Forwarded = new Map();
  const pass = async () => {
    if (passing) return;
    passing = true;
    try {
      await forwardAll(ctx, deps, forwarded);
    } finally {
      passing = false;
    }
  };
  const periodic = new Periodic(pass, deps.intervalMs ?? DEFAULT_INTERVAL_MS, (error) => deps.logger.error({ err: error }, "forwarding DynamoDB changes to Kinesis failed; trying again"));
  return { start: () => periodic.start(), close: () => periodic.stop() };
}

/** One look at every table with a destination that sends or drains. */
async function forwardAll(ctx: DynamoContext, deps: KinesisForwarderDeps, forwarded: Forwarded): Promise<void> {
  let afterName: string | undefined;
  for (;;) {
    const records = await ctx.store.tables(afterName, TABLES_PER_PAGE);
    for (const record of records) {
      // Most tables have no destination: their definitions are not parsed.
      if (!record.definition.includes('"KinesisDestinations"')) continue;
      const table = loadedTable(ctx, record);
      for (const destination of table.definition.KinesisDestinations ?? []) {
        if (destination.Status !== "ACTIVE" && destination.Status !== "DISABLING") continue;
        await forward(ctx, deps, forwarded, table, destination).catch((error: unknown) =>
          deps.logger.warn({ err: error, table: table.name, stream: destination.StreamArn }, "forwarding a table's changes to its Kinesis data stream failed; trying again"));
      }
    }
    if (records.length < TABLES_PER_PAGE) return;
    afterName = records.at(-1)?.name;
  }
}

/** Appends the destination's changes captured after its checkpoint, batch by batch, if this node holds its lease. */
async function forward(ctx: DynamoContext, deps: KinesisForwarderDeps, forwarded: Forwarded, table: LoadedTable, destination: KinesisDestination): Promise<void> {
  const capture = kinesisCaptureStream(table, destination);
  // Nothing new since this node forwarded: no lease is taken (a claim is a durable write).
  const known = forwarded.get(capture);
  if (destination.Status === "ACTIVE" && known !== undefined && known >= (await ctx.store.streamBounds(capture)).latest) return;
  const key = leaseKey(capture);
  const lease = await deps.leases.claim(key, deps.owner, ctx.now(), ctx.now() + LEASE_MS);
  if (!lease) return;
  let position = lease.position ?? 0;
  // Down to one record at a time once a batch is refused, so the changes before the refused one still go.
  let batchRecords = BATCH_RECORDS;
  for (;;) {
    const rows = await ctx.store.streamRecords(capture, position, batchRecords);
    if (rows.length === 0) break;
    const batch = [];
    let bytes = 0;
    for (const row of rows) {
      const record = capturedRecord(row.record);
      bytes += Buffer.byteLength(record.data) + record.partitionKey.length;
      if (batch.length > 0 && bytes > BATCH_BYTES) break;
      batch.push({ sequence: row.sequence, message: { body: record.data, groupId: record.partitionKey } });
    }
    try {
      await deps.destinations.sendBatch(destination.StreamArn, batch.map((entry) => entry.message));
    } catch (error) {
      const failure = failureOf(error, destination);
      if (failure === undefined) throw error;
      if (batch.length > 1 && !(error instanceof MissingTargetError)) {
        batchRecords = 1;
        continue;
      }
      // Being disabled, it is disabled: nothing more can be sent.
      if (destination.Status === "DISABLING") await settleDestination(ctx, table, destination, "DISABLED");
      else await settleDestination(ctx, table, destination, "ENABLE_FAILED", failure);
      return;
    }
    const last = (batch.at(-1) as { sequence: number }).sequence;
    // A lease another node took meanwhile: that node goes on from the checkpoint it reads.
    if (!(await deps.leases.savePosition(key, lease.token, last))) return;
    position = last;
  }
  forwarded.set(capture, position);
  if (destination.Status === "DISABLING") {
    await settleDestination(ctx, table, destination, "DISABLED");
    await deps.leases.removePrefix(key);
  }
}

/**
 * Why no retry can deliver the batch, as the destination's status description: its stream is gone, or
 * the stream refuses a change as larger than its records may be (an item's two images in DynamoDB's JSON,
 * binaries in base64, can pass 1 MiB). Undefined for a failure worth retrying (a resharding, low disk).
 */
function failureOf(error: unknown, destination: KinesisDestination): string | undefined {
  if (error instanceof MissingTargetError) return `Kinesis data stream ${destination.StreamArn} does not exist: the table's changes are no longer sent to it`;
  if (error instanceof UnkaiError && error.code === "ValidationException") return `Kinesis data stream ${destination.StreamArn} refused a change of the table (${error.message}): the table's changes are no longer sent to it`;
  return undefined;
}

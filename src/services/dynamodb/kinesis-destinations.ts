/**
 * Kinesis Data Streams for DynamoDB, the control half: EnableKinesisStreamingDestination,
 * DisableKinesisStreamingDestination, DescribeKinesisStreamingDestination and
 * UpdateKinesisStreamingDestination keep the table's destinations in its definition (`KinesisDestinations`,
 * changed by compare-and-swap as every definition change is). Writes capture changes for an ACTIVE one
 * (kinesis-capture.ts); kinesis-forwarder.ts moves them to the stream, drains a DISABLING one before it is
 * DISABLED, and marks one whose stream is gone ENABLE_FAILED.
 *
 * As AWS: one stream at a time per table, in the table's account and Region; Enable answers ENABLING,
 * Disable DISABLING and Update UPDATING, and Describe then shows where it settled (here at once: ACTIVE,
 * or DISABLED once drained). Timestamps are MICROSECOND unless configured (AWS's default). Error codes
 * are the model's; the messages are Unkai's own (AWS documents none).
 */
import { UnkaiError } from "../../core/errors.js";
import { KINESIS_STREAM_ARN } from "../../core/kinesis.js";
import { loadTable, type DynamoContext, type LoadedTable } from "./context.js";
import { changeDefinition } from "./definition-changes.js";
import { invalid, type KinesisDestination } from "./table-definition.js";

type Precision = KinesisDestination["Precision"];

interface DestinationInput {
  readonly TableName: string;
  readonly StreamArn: string;
  readonly EnableKinesisStreamingConfiguration?: { readonly ApproximateCreationDateTimePrecision?: Precision };
}

interface UpdateInput {
  readonly TableName: string;
  readonly StreamArn: string;
  readonly UpdateKinesisStreamingConfiguration?: { readonly ApproximateCreationDateTimePrecision?: Precision };
}

/** Whether a Kinesis stream exists (Platform.destinations, which Kinesis's module offers its streams to). */
export type StreamExists = (arn: string) => Promise<boolean>;

const DEFAULT_PRECISION: Precision = "MICROSECOND";
const tableNotFound = (name: string) => `Requested resource not found: Table: ${name} not found`;

/** A destination that still sends, or still drains what it captured: a table has at most one. */
const busy = (destination: KinesisDestination) => destination.Status === "ACTIVE" || destination.Status === "DISABLING";

const destinationsOf = (table: LoadedTable) => table.definition.KinesisDestinations ?? [];

/** The stream ARN, checked: a Kinesis stream's, in the table's account and Region, existing. */
async function checkedStream(ctx: DynamoContext, arn: string, exists: StreamExists): Promise<void> {
  const match = KINESIS_STREAM_ARN.exec(arn);
  if (!match) throw invalid(`StreamArn ${arn} is not a Kinesis data stream ARN`);
  if (match[1] !== ctx.account.region || match[2] !== ctx.account.accountId) {
    throw invalid(`The Kinesis data stream ${arn} must be in the table's account (${ctx.account.accountId}) and Region (${ctx.account.region})`);
  }
  if (!(await exists(arn))) throw new UnkaiError("ResourceNotFoundException", `Requested resource not found: Kinesis data stream ${arn} not found`);
}

export function kinesisDestinationOperations(ctx: DynamoContext, exists: StreamExists) {
  return {
    async EnableKinesisStreamingDestination(input: DestinationInput): Promise<object> {
      const table = await loadTable(ctx, input.TableName, tableNotFound(input.TableName));
      await checkedStream(ctx, input.StreamArn, exists);
      const precision = input.EnableKinesisStreamingConfiguration?.ApproximateCreationDateTimePrecision ?? DEFAULT_PRECISION;
      await changeDefinition(ctx, table, (current) => {
        const destinations = destinationsOf(current);
        const sending = destinations.find(busy);
        if (sending?.StreamArn === input.StreamArn) throw new UnkaiError("ResourceInUseException", `Table ${current.name} is already ${sending.Status === "ACTIVE" ? "streaming to" : "being disabled from"} Kinesis data stream ${input.StreamArn}`);
        if (sending) throw new UnkaiError("ResourceInUseException", `Table ${current.name} already streams to Kinesis data stream ${sending.StreamArn}: a table streams to one Kinesis data stream at a time`);
        // Each enabling names its own capture stream (kinesis-capture.ts): later than any before it.
        const enabledAt = Math.max(ctx.now(), ...destinations.map((d) => d.EnabledAt + 1));
        const enabled: KinesisDestination = { StreamArn: input.StreamArn, Status: "ACTIVE", Precision: precision, EnabledAt: enabledAt };
        return { ...current.definition, KinesisDestinations: [...destinations.filter((d) => d.StreamArn !== input.StreamArn), enabled] };
      });
      return { TableName: table.name, StreamArn: input.StreamArn, DestinationStatus: "ENABLING", ...configuration("EnableKinesisStreamingConfiguration", input.EnableKinesisStreamingConfiguration) };
    },

    async DisableKinesisStreamingDestination(input: DestinationInput): Promise<object> {
      const table = await loadTable(ctx, input.TableName, tableNotFound(input.TableName));
      await changeDefinition(ctx, table, (current) => {
        const destinations = destinationsOf(current);
        const active = destinations.find((d) => d.StreamArn === input.StreamArn && d.Status === "ACTIVE");
        if (!active) throw noActive(current.name, input.StreamArn, destinations);
        return { ...current.definition, KinesisDestinations: destinations.map((d) => (d === active ? { ...d, Status: "DISABLING" as const } : d)) };
      });
      return { TableName: table.name, StreamArn: input.StreamArn, DestinationStatus: "DISABLING", ...configuration("EnableKinesisStreamingConfiguration", input.EnableKinesisStreamingConfiguration) };
    },

    async UpdateKinesisStreamingDestination(input: UpdateInput): Promise<object> {
      const table = await loadTable(ctx, input.TableName, tableNotFound(input.TableName));
      const precision = input.UpdateKinesisStreamingConfiguration?.ApproximateCreationDateTimePrecision;
      if (precision === undefined) throw invalid("UpdateKinesisStreamingConfiguration must set ApproximateCreationDateTimePrecision");
      await changeDefinition(ctx, table, (current) => {
        const destinations = destinationsOf(current);
        const active = destinations.find((d) => d.StreamArn === input.StreamArn && d.Status === "ACTIVE");
        if (!active) throw noActive(current.name, input.StreamArn, destinations);
        if (active.Precision === precision) throw invalid(`ApproximateCreationDateTimePrecision is already ${precision} for Kinesis data stream ${input.StreamArn}`);
        return { ...current.definition, KinesisDestinations: destinations.map((d) => (d === active ? { ...d, Precision: precision } : d)) };
      });
      return { TableName: table.name, StreamArn: input.StreamArn, DestinationStatus: "UPDATING", UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: precision } };
    },

    async DescribeKinesisStreamingDestination(input: { TableName: string }): Promise<object> {
      const table = await loadTable(ctx, input.TableName, tableNotFound(input.TableName));
      return {
        TableName: table.name,
        KinesisDataStreamDestinations: destinationsOf(table).map((d) => ({
          StreamArn: d.StreamArn,
          DestinationStatus: d.Status,
          ...(d.StatusDescription !== undefined ? { DestinationStatusDescription: d.StatusDescription } : {}),
          ApproximateCreationDateTimePrecision: d.Precision,
        })),
      };
    },
  };
}

/** Disable and Update need the stream ACTIVE: not found when the table never streamed to it, in use while it is in another state. */
function noActive(table: string, arn: string, destinations: readonly KinesisDestination[]): UnkaiError {
  const known = destinations.find((d) => d.StreamArn === arn);
  if (known === undefined) return new UnkaiError("ResourceNotFoundException", `Requested resource not found: Table ${table} does not stream to Kinesis data stream ${arn}`);
  return new UnkaiError("ResourceInUseException", `Kinesis data stream ${arn} of table ${table} is ${known.Status}, not ACTIVE`);
}

/** The configuration the request gave, echoed as AWS's answers carry it. */
function configuration(member: string, given: { readonly ApproximateCreationDateTimePrecision?: Precision } | undefined): object {
  return given?.ApproximateCreationDateTimePrecision === undefined ? {} : { [member]: { ApproximateCreationDateTimePrecision: given.ApproximateCreationDateTimePrecision } };
}

/**
 * Moves a destination from the status the forwarder saw to `status` (DISABLED once drained, ENABLE_FAILED once
 * its stream is gone), unless the table or the destination changed meanwhile.
 */
export async function settleDestination(ctx: DynamoContext, table: LoadedTable, seen: KinesisDestination, status: KinesisDestination["Status"], description?: string): Promise<void> {
  await changeDefinition(ctx, table, (current) => {
    const destinations = destinationsOf(current);
    const still = destinations.find((d) => d.StreamArn === seen.StreamArn && d.EnabledAt === seen.EnabledAt && d.Status === seen.Status);
    if (!still) return undefined;
    const settled: KinesisDestination = { StreamArn: still.StreamArn, Status: status, Precision: still.Precision, EnabledAt: still.EnabledAt, ...(description !== undefined ? { StatusDescription: description } : {}) };
    return { ...current.definition, KinesisDestinations: destinations.map((d) => (d === still ? settled : d)) };
  });
}

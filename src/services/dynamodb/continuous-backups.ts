/**
 * DescribeContinuousBackups and UpdateContinuousBackups: a table's point-in-time recovery setting, kept
 * in its definition, so tools that read or set it (Terraform reads it for every table, CDK and
 * CloudFormation set `PointInTimeRecoverySpecification`) work unchanged. Continuous backups are ENABLED
 * on every table, as on AWS. Unkai keeps no history of items, so a description never names a restorable
 * window (`EarliestRestorableDateTime`, `LatestRestorableDateTime`) and RestoreTableToPointInTime is not
 * served (docs/compatibility/dynamodb.md).
 */
import { UnkaiError } from "../../core/errors.js";
import { loadTable, type DynamoContext } from "./context.js";
import type { TableDefinition } from "./table-definition.js";
import { changeDefinition } from "./definition-changes.js";

/** AWS's recovery period when PointInTimeRecoverySpecification names none. */
const DEFAULT_RECOVERY_DAYS = 35;

interface UpdateContinuousBackupsInput {
  readonly TableName: string;
  readonly PointInTimeRecoverySpecification: { readonly PointInTimeRecoveryEnabled: boolean; readonly RecoveryPeriodInDays?: number };
}

/** These two operations answer a missing table with TableNotFoundException, not ResourceNotFoundException. */
async function backupsTable(ctx: DynamoContext, name: string) {
  try {
    return await loadTable(ctx, name);
  } catch (error) {
    if (error instanceof UnkaiError && error.code === "ResourceNotFoundException") throw new UnkaiError("TableNotFoundException", `Table not found: ${name}`);
    throw error;
  }
}

function description(definition: TableDefinition): object {
  const recovery = definition.PointInTimeRecovery;
  return {
    ContinuousBackupsDescription: {
      ContinuousBackupsStatus: "ENABLED",
      PointInTimeRecoveryDescription: recovery === undefined
        ? { PointInTimeRecoveryStatus: "DISABLED" }
        : { PointInTimeRecoveryStatus: "ENABLED", RecoveryPeriodInDays: recovery.RecoveryPeriodInDays },
    },
  };
}

export async function describeContinuousBackups(ctx: DynamoContext, input: { TableName: string }): Promise<object> {
  return description((await backupsTable(ctx, input.TableName)).definition);
}

/** Turns point-in-time recovery on (with its recovery period, 35 days unless given) or off; repeating a setting is no error. */
export async function updateContinuousBackups(ctx: DynamoContext, input: UpdateContinuousBackupsInput): Promise<object> {
  const spec = input.PointInTimeRecoverySpecification;
  const updated = await changeDefinition(ctx, await backupsTable(ctx, input.TableName), ({ definition }) => {
    const { PointInTimeRecovery: _previous, ...rest } = definition;
    return spec.PointInTimeRecoveryEnabled ? { ...rest, PointInTimeRecovery: { RecoveryPeriodInDays: spec.RecoveryPeriodInDays ?? DEFAULT_RECOVERY_DAYS } } : rest;
  });
  return description(updated.definition);
}

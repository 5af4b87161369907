/**
 * DynamoDB's export and import operations by name (exports.ts, imports.ts), with the background work
 * they share: `start` fails what a stopped Unkai left IN_PROGRESS, `close` stops the running jobs.
 */
import type { DynamoOperation } from "./operations.js";
import { describeExport, exportTableToPointInTime, listExports } from "./exports.js";
import { describeImport, importTable, listImports } from "./imports.js";
import { failInterrupted, TransferJobs, type TransferContext, type TransferDeps } from "./transfers.js";
import type { DynamoContext } from "./context.js";
import type { OperationContext } from "../../protocol/codecs/model-service.js";

export interface Transfers {
  readonly operations: Record<string, DynamoOperation>;
  start(): void;
  close(): Promise<void>;
}

export function dynamoTransfers(base: DynamoContext, deps: TransferDeps, sharedStore: boolean): Transfers {
  const ctx: TransferContext = { ...base, rawItems: false, transfers: deps, jobs: new TransferJobs() };
  const op =
    <I>(operation: (context: TransferContext, input: I) => Promise<object>) =>
    (input: I) =>
      operation(ctx, input);
  return {
    operations: {
      ExportTableToPointInTime: op(exportTableToPointInTime),
      DescribeExport: op(describeExport),
      ListExports: op(listExports),
      // The request goes with the import: each object it reads is checked against the caller's permissions.
      ImportTable: (input: Parameters<typeof importTable>[1], context?: OperationContext) => importTable(ctx, input, context?.request),
      DescribeImport: op(describeImport),
      ListImports: op(listImports),
    },
    start() {
      // On a shared store another node may be running what looks unfinished here.
      if (sharedStore) return;
      const now = ctx.now();
      Promise.all([failInterrupted(deps.exports, "ExportStatus", now), failInterrupted(deps.imports, "ImportStatus", now)]).catch((error: unknown) =>
        deps.logger.error({ err: error }, "could not mark the DynamoDB exports and imports a stop interrupted as FAILED"));
    },
    close: () => ctx.jobs.close(),
  };
}

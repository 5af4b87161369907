/**
 * Table settings Unkai keeps and describes but does not act on, so tools that set them at CreateTable or
 * UpdateTable and read them back (Terraform compares them on every plan) see what they wrote: the table
 * class, encryption at rest, the on-demand throughput ceilings and the warm throughput (described ACTIVE). Unkai stores every table the same way
 * (no infrequent-access pricing, no encryption of its own: the data directory is the file system's to
 * protect) and never throttles. docs/compatibility/dynamodb.md says so.
 */
import type { TableDefinition } from "./table-definition.js";

/** The members of CreateTable and UpdateTable that this file keeps. */
export interface SettingsInput {
  readonly TableClass?: string;
  readonly SSESpecification?: { readonly Enabled?: boolean; readonly SSEType?: string; readonly KMSMasterKeyId?: string };
  readonly OnDemandThroughput?: { readonly MaxReadRequestUnits?: number; readonly MaxWriteRequestUnits?: number };
  readonly WarmThroughput?: { readonly ReadUnitsPerSecond?: number; readonly WriteUnitsPerSecond?: number };
}

export const SETTINGS_MEMBERS = ["TableClass", "SSESpecification", "OnDemandThroughput", "WarmThroughput"] as const;

/** A throughput setting after an update: the members given replace the previous ones, the rest stay; undefined when neither exists. */
export function mergedSetting<T extends object>(previous: T | undefined, given: T | undefined): T | undefined {
  return previous === undefined && given === undefined ? undefined : { ...previous, ...given } as T;
}

/**
 * The settings after `input`: a member left out keeps its previous value. Every setting is named (undefined
 * when unset), so the result replaces the previous settings whole. `nowMs` dates a table class change.
 */
export function keptSettings(input: SettingsInput, previous: Partial<TableDefinition>, nowMs: number): Pick<TableDefinition, (typeof SETTINGS_MEMBERS)[number]> {
  const classChanged = input.TableClass !== undefined && input.TableClass !== previous.TableClass?.Name;
  // Only encryption with a KMS key is kept: `Enabled: false` (AWS's own key) drops it.
  const sse = input.SSESpecification ?? previous.SSESpecification;
  return {
    TableClass: classChanged ? { Name: input.TableClass, UpdatedAt: nowMs } : previous.TableClass,
    SSESpecification: sse?.Enabled ? sse : undefined,
    OnDemandThroughput: mergedSetting(previous.OnDemandThroughput, input.OnDemandThroughput),
    WarmThroughput: mergedSetting(previous.WarmThroughput, input.WarmThroughput),
  };
}

/**
 * DescribeTable's members for the kept settings. A KMS key given by id or alias is named as an ARN of the
 * table's account and Region; without one (AWS's managed key) no key ARN is named.
 */
export function describedSettings(definition: TableDefinition, tableArn: string): object {
  const accountPart = tableArn.replace(/^arn:aws:dynamodb:/, "").replace(/:table\/.*$/, "");
  const keyArn = (id: string) => (id.startsWith("arn:") ? id : id.startsWith("alias/") ? `arn:aws:kms:${accountPart}:${id}` : `arn:aws:kms:${accountPart}:key/${id}`);
  const sse = definition.SSESpecification;
  return {
    ...(definition.TableClass ? { TableClassSummary: { TableClass: definition.TableClass.Name, LastUpdateDateTime: new Date(definition.TableClass.UpdatedAt) } } : {}),
    ...(sse ? { SSEDescription: { Status: "ENABLED", SSEType: sse.SSEType ?? "KMS", ...(sse.KMSMasterKeyId ? { KMSMasterKeyArn: keyArn(sse.KMSMasterKeyId) } : {}) } } : {}),
    ...(definition.OnDemandThroughput ? { OnDemandThroughput: definition.OnDemandThroughput } : {}),
    ...(definition.WarmThroughput ? { WarmThroughput: { ...definition.WarmThroughput, Status: "ACTIVE" } } : {}),
  };
}

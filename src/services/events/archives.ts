/**
 * CreateArchive, DescribeArchive, ListArchives, UpdateArchive, DeleteArchive. An archive keeps the
 * events of one bus of this account that match its pattern (archiving.ts); its counts are read from
 * the store when described, so they are exact where AWS reconciles them within 24 hours.
 */
import { setImmediate as yieldLoop } from "node:timers/promises";
import { UnkaiError } from "../../core/errors.js";
import type { ArchiveRecord, ArchiveState } from "../../core/events/archives.js";
import type { EventBusRecord } from "../../core/events/resources.js";
import type { ArchivedEventStore, DocumentStore } from "../../store/ports.js";
import { DEFAULT_BUS, type Names } from "./names.js";
import { page } from "./paging.js";
import { checkPattern } from "./rules.js";

/** Archived events deleted per batch when an archive goes. */
const FORGET_BATCH = 5_000;

export interface ArchiveDeps {
  readonly archives: DocumentStore<ArchiveRecord>;
  readonly archivedEvents: ArchivedEventStore;
  readonly buses: DocumentStore<EventBusRecord>;
  readonly names: Names;
  readonly now: () => number;
}

export function archiveMissing(name: string): UnkaiError {
  return new UnkaiError("ResourceNotFoundException", `Archive ${name} does not exist.`);
}

interface ArchiveInput {
  readonly ArchiveName: string;
  readonly Description?: string;
  readonly EventPattern?: string;
  readonly RetentionDays?: number;
  readonly KmsKeyIdentifier?: string;
}

export function archiveOperations(deps: ArchiveDeps) {
  const { archives, archivedEvents, names } = deps;
  const requireArchive = async (name: string): Promise<ArchiveRecord> => {
    const archive = await archives.get(name);
    if (!archive) throw archiveMissing(name);
    return archive;
  };
  /** The bus an archive's EventSourceArn names: a bus of this account and Region that exists. */
  const requireSourceBus = async (arn: string): Promise<void> => {
    const bus = names.ownBusOfArn(arn);
    if (bus === undefined) {
      throw new UnkaiError("ValidationException", `Parameter EventSourceArn is not valid. Reason: ${arn} is not the ARN of an event bus of this account and Region.`);
    }
    if (bus !== DEFAULT_BUS && !(await deps.buses.get(bus))) throw new UnkaiError("ResourceNotFoundException", `Event bus ${bus} does not exist.`);
  };
  const summary = async (a: ArchiveRecord) => {
    const { count, bytes } = await archivedEvents.stats(a.ArchiveName);
    return {
      ArchiveName: a.ArchiveName, EventSourceArn: a.EventSourceArn, State: a.State, RetentionDays: a.RetentionDays,
      SizeBytes: bytes, EventCount: count, CreationTime: new Date(a.CreationTime),
    };
  };
  const answer = (a: ArchiveRecord) => ({ ArchiveArn: a.ArchiveArn, State: a.State, CreationTime: new Date(a.CreationTime) });

  /**
   * Deletes an archive's events a batch at a time, letting other work run between batches: an archive
   * kept forever on a busy bus may hold millions, which one statement would delete with the server stopped.
   */
  const forgetEvents = async (name: string) => {
    while ((await archivedEvents.deleteArchivedBefore(name, Number.MAX_SAFE_INTEGER, FORGET_BATCH)) >= FORGET_BATCH) await yieldLoop();
    await archivedEvents.forget(name);
  };

  return {
    async CreateArchive(input: ArchiveInput & { EventSourceArn: string }) {
      if (await archives.get(input.ArchiveName)) throw new UnkaiError("ResourceAlreadyExistsException", `Archive ${input.ArchiveName} already exists.`);
      await requireSourceBus(input.EventSourceArn);
      if (input.EventPattern !== undefined) checkPattern(input.EventPattern);
      const archive: ArchiveRecord = {
        ArchiveName: input.ArchiveName, ArchiveArn: names.archiveArn(input.ArchiveName), EventSourceArn: input.EventSourceArn,
        ...(input.Description !== undefined ? { Description: input.Description } : {}),
        ...(input.EventPattern !== undefined ? { EventPattern: input.EventPattern } : {}),
        RetentionDays: input.RetentionDays ?? 0,
        ...(input.KmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: input.KmsKeyIdentifier } : {}),
        State: "ENABLED", CreationTime: deps.now(),
      };
      // Events archived under an earlier archive of this name are not this one's.
      await forgetEvents(archive.ArchiveName);
      await archives.put(archive.ArchiveName, archive);
      return answer(archive);
    },
    async DescribeArchive(input: { ArchiveName: string }) {
      const a = await requireArchive(input.ArchiveName);
      return {
        ...(await summary(a)), ArchiveArn: a.ArchiveArn,
        ...(a.Description !== undefined ? { Description: a.Description } : {}),
        ...(a.EventPattern !== undefined ? { EventPattern: a.EventPattern } : {}),
        ...(a.KmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: a.KmsKeyIdentifier } : {}),
      };
    },
    async ListArchives(input: { NamePrefix?: string; EventSourceArn?: string; State?: ArchiveState; NextToken?: string; Limit?: number }) {
      if ([input.NamePrefix, input.EventSourceArn, input.State].filter((f) => f !== undefined).length > 1) {
        throw new UnkaiError("ValidationException", "At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix.");
      }
      const all = (await archives.list()).filter((a) => a.ArchiveName.startsWith(input.NamePrefix ?? "")
        && (input.EventSourceArn === undefined || a.EventSourceArn === input.EventSourceArn)
        && (input.State === undefined || a.State === input.State));
      const { items, next } = page(all, input.NextToken, input.Limit);
      return { Archives: await Promise.all(items.map(summary)), ...(next ? { NextToken: next } : {}) };
    },
    async UpdateArchive(input: ArchiveInput) {
      const old = await requireArchive(input.ArchiveName);
      if (input.EventPattern !== undefined) checkPattern(input.EventPattern);
      const updated: ArchiveRecord = {
        ...old,
        ...(input.Description !== undefined ? { Description: input.Description } : {}),
        ...(input.EventPattern !== undefined ? { EventPattern: input.EventPattern } : {}),
        ...(input.RetentionDays !== undefined ? { RetentionDays: input.RetentionDays } : {}),
        ...(input.KmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: input.KmsKeyIdentifier } : {}),
      };
      await archives.put(updated.ArchiveName, updated);
      return answer(updated);
    },
    async DeleteArchive(input: { ArchiveName: string }) {
      await requireArchive(input.ArchiveName);
      await archives.delete(input.ArchiveName);
      await forgetEvents(input.ArchiveName);
    },
  };
}

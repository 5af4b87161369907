/** CloudWatch Logs writes: groups (with their tags), streams, PutLogEvents (with AWS's age rules) and retention policies. */
import { UnkaiError } from "../../core/errors.js";
import { isRetentionDays, LOG_EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_SPAN_MS, MAX_EVENT_AGE_MS, MAX_EVENT_FUTURE_MS, RETENTION_DAYS } from "../../core/log-limits.js";
import type { FreeSpace } from "../../store/disk-space.js";
import type { LogEvent, LogStore } from "../../store/ports.js";
import type { Operations } from "../../protocol/codecs/model-service.js";
import { checkTagKeys, type LogGroupTags } from "./tags.js";

// Inputs as the model (models/logs.json) has them; the codec has checked types, lengths and patterns.
export interface GroupNameInput {
  readonly logGroupName: string;
}
interface StreamInput extends GroupNameInput {
  readonly logStreamName: string;
}
interface PutEventsInput extends StreamInput {
  readonly logEvents: readonly LogEvent[];
}

interface RejectedInfo {
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
  tooNewLogEventStartIndex?: number;
}

/** Refuses writes that grow storage while the data directory is low on space. */
function requireRoom(space: FreeSpace): void {
  const shortfall = space.shortfall();
  if (shortfall) throw new UnkaiError("ServiceUnavailableException", shortfall);
}

function checkRetention(days: number): void {
  if (!isRetentionDays(days)) {
    throw new UnkaiError(
      "InvalidParameterException",
      `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`,
    );
  }
}

function checkBatch(events: readonly LogEvent[]): void {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as LogEvent;
    bytes += Buffer.byteLength(event.message) + LOG_EVENT_OVERHEAD_BYTES;
    if (i > 0 && event.timestamp < (events[i - 1] as LogEvent).timestamp) {
      throw new UnkaiError("InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.");
    }
  }
  if (bytes > MAX_BATCH_BYTES) {
    throw new UnkaiError("InvalidParameterException", `The batch is ${bytes} bytes (messages in UTF-8 plus 26 bytes per event); the maximum is ${MAX_BATCH_BYTES} bytes.`);
  }
}

/** The span rule applies to the events that are kept (within 14 days back and 2 hours ahead). */
function checkSpan(kept: readonly LogEvent[]): void {
  if ((kept.at(-1)?.timestamp ?? 0) - (kept[0]?.timestamp ?? 0) > MAX_BATCH_SPAN_MS) {
    throw new UnkaiError("InvalidParameterException", "The valid log events in a single PutLogEvents request cannot span more than 24 hours.");
  }
}

/**
 * Appends the events CloudWatch would keep and reports the rest as it does: older than 14 days,
 * older than the group's retention ("expired"), or more than 2 hours ahead.
 */
async function putLogEvents(logs: LogStore, input: PutEventsInput, now: number): Promise<{ rejectedLogEventsInfo?: RejectedInfo }> {
  const group = await logs.group(input.logGroupName);
  if (!group) throw new UnkaiError("ResourceNotFoundException", "The specified log group does not exist.");
  if (!(await logs.hasStream(input.logGroupName, input.logStreamName))) throw new UnkaiError("ResourceNotFoundException", "The specified log stream does not exist.");
  const events = input.logEvents;
  checkBatch(events);
  const tooOld = events.filter((e) => e.timestamp < now - MAX_EVENT_AGE_MS).length;
  const retentionMs = group.retentionInDays === undefined ? Number.POSITIVE_INFINITY : group.retentionInDays * 86_400_000;
  const expired = events.filter((e) => e.timestamp < now - retentionMs).length;
  const firstTooNew = events.findIndex((e) => e.timestamp > now + MAX_EVENT_FUTURE_MS);
  const end = firstTooNew === -1 ? events.length : firstTooNew;
  const kept = events.slice(Math.max(tooOld, expired), end);
  checkSpan(kept);
  if (kept.length > 0) await logs.append(input.logGroupName, input.logStreamName, kept);
  const rejected: RejectedInfo = {
    ...(tooOld > 0 ? { tooOldLogEventEndIndex: tooOld } : {}),
    ...(expired > 0 ? { expiredLogEventEndIndex: expired } : {}),
    ...(firstTooNew !== -1 ? { tooNewLogEventStartIndex: firstTooNew } : {}),
  };
  return Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {};
}

export interface WriteDeps {
  readonly logs: LogStore;
  readonly space: FreeSpace;
  readonly now: () => number;
  /** The group's name when it exists, else ResourceNotFoundException. */
  readonly requireGroup: (group: string | undefined) => Promise<string>;
}

/** The writing operations, by name. Those that take space are refused while the data directory is low on it. */
export function writeOperations({ logs, space, now, requireGroup }: WriteDeps): Operations {
  return {
    // The model holds `tags` to 50 entries and each key and value to its length and characters.
    async CreateLogGroup(input: GroupNameInput & { readonly tags?: LogGroupTags }) {
      checkTagKeys(input.tags);
      requireRoom(space);
      if (!(await logs.createGroup(input.logGroupName, now(), input.tags))) throw new UnkaiError("ResourceAlreadyExistsException", "The specified log group already exists");
    },
    async CreateLogStream(input: StreamInput) {
      await requireGroup(input.logGroupName);
      requireRoom(space);
      if (!(await logs.createStream(input.logGroupName, input.logStreamName, now()))) throw new UnkaiError("ResourceAlreadyExistsException", "The specified log stream already exists");
    },
    // The model takes the group by logGroupName only (required), unlike GetLogEvents' logGroupIdentifier.
    async DeleteLogStream(input: StreamInput) {
      const group = await requireGroup(input.logGroupName);
      if (!(await logs.deleteStream(group, input.logStreamName))) throw new UnkaiError("ResourceNotFoundException", "The specified log stream does not exist.");
    },
    async PutLogEvents(input: PutEventsInput) {
      requireRoom(space);
      return putLogEvents(logs, input, now());
    },
    async PutRetentionPolicy(input: GroupNameInput & { readonly retentionInDays: number }) {
      checkRetention(input.retentionInDays);
      await logs.setRetention(await requireGroup(input.logGroupName), input.retentionInDays);
    },
    async DeleteRetentionPolicy(input: GroupNameInput) {
      await logs.setRetention(await requireGroup(input.logGroupName), undefined);
    },
  };
}

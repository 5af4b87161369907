/**
 * Tumbling windows on a shard (TumblingWindowInSeconds): records are grouped into windows aligned to
 * the epoch by when they were written; each invocation of a window gets the `state` the previous one
 * returned, and the window ends with a final invocation (`isFinalInvokeForWindow`, no records) whose
 * state is then dropped. The shard's checkpoint moves only at a window's final invocation, so a restart
 * replays the open window from its first record with a fresh state: windows are never mixed and the
 * state is rebuilt from the records themselves (at least once, as everywhere on streams).
 */
import type { JsonValue } from "../core/event-pattern/types.js";
import type { ShardRecord } from "./shard-source.js";

/** Lambda ends a window early once its state grows past 1 MB. */
const MAX_STATE_BYTES = 1024 * 1024;

export interface OpenWindow {
  readonly startMs: number;
  readonly endMs: number;
  state: Record<string, JsonValue>;
  /** The state outgrew 1 MB: the window's final invoke comes next, and the same window goes on with a fresh state. */
  terminatedEarly: boolean;
  /** The position past the last record delivered in this window: saved as the checkpoint once the window closes. */
  donePosition: number | undefined;
}

/** The start of the window `record` belongs to, never before `closedUntilMs` (a window already closed stays closed). */
export function windowStartOf(record: ShardRecord, windowMs: number, closedUntilMs: number): number {
  return Math.max(Math.floor(record.createdAtMs / windowMs) * windowMs, closedUntilMs);
}

export function openWindow(startMs: number, windowMs: number): OpenWindow {
  const alignedEnd = (Math.floor(startMs / windowMs) + 1) * windowMs;
  return { startMs, endMs: alignedEnd, state: {}, terminatedEarly: false, donePosition: undefined };
}

/** The fields Lambda adds to a windowed stream event. */
export function windowFields(window: OpenWindow, shardId: string, eventSourceArn: string, final: boolean): Record<string, JsonValue> {
  return {
    window: { start: isoSeconds(window.startMs), end: isoSeconds(window.endMs) },
    state: window.state,
    shardId,
    eventSourceARN: eventSourceArn,
    isFinalInvokeForWindow: final,
    isWindowTerminatedEarly: final && window.terminatedEarly,
  };
}

/**
 * The `state` of a windowed function's response (`{ state: {...}, batchItemFailures: [...] }`), or
 * undefined when it has none: Lambda treats that invocation as failed.
 */
export function stateOf(response: unknown): Record<string, JsonValue> | undefined {
  if (response === null || typeof response !== "object") return undefined;
  const state = (response as { state?: unknown }).state;
  if (state === null || typeof state !== "object" || Array.isArray(state)) return undefined;
  return state as Record<string, JsonValue>;
}

/** Keeps the state a successful invocation returned; true when it is too big for the window to go on. */
export function keepState(window: OpenWindow, state: Record<string, JsonValue>): boolean {
  window.state = state;
  if (Buffer.byteLength(JSON.stringify(state)) > MAX_STATE_BYTES) window.terminatedEarly = true;
  return window.terminatedEarly;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The records of `read` in the open window (all of them without one). */
export function recordsInWindow(window: OpenWindow | undefined, windowMs: number, closedUntilMs: number, read: ShardRecord[]): ShardRecord[] {
  if (window === undefined) return read;
  const after = read.findIndex((record) => windowStartOf(record, windowMs, closedUntilMs) >= window.endMs);
  return after === -1 ? read : read.slice(0, after);
}

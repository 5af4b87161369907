/**
 * Live tail sessions (StartLiveTail). One ingestion listener per node feeds every open session: an
 * append is matched against each session's groups, streams and pattern as it is ingested, and what
 * matched waits in the session's buffer until its next update (one a second, as AWS sends them).
 * On a store shared by a cluster, what another node ingests never reaches this node's listener: there
 * each session instead reads its groups from the store once an update (live-tail-poll.ts), and the
 * listener is not used. A session leaves the hub when its client goes away, when it times out, or when
 * the server closes.
 */
import type { FilterPattern } from "../../core/log-filter/index.js";
import type { StreamedEvent } from "../../protocol/codecs/event-stream-output.js";
import type { LogEvent, LogStore } from "../../store/ports.js";
import { groupReader, type GroupReader } from "./live-tail-poll.js";

/** AWS: at most 500 events in one update; more are sampled down to 500. */
const MAX_EVENTS_PER_UPDATE = 500;
/** AWS buffers up to 5,000 events for a slow client, then drops the oldest. */
const MAX_BUFFERED_EVENTS = 5_000;

export interface LiveTailCriteria {
  /** Group name → the identifier the client named it by (each event answers with it). */
  readonly groups: ReadonlyMap<string, string>;
  readonly streamNames?: ReadonlySet<string> | undefined;
  readonly streamPrefixes?: readonly string[] | undefined;
  readonly pattern: FilterPattern;
}

export interface LiveTailOptions {
  /** Between two `sessionUpdate` events (AWS: one second). */
  readonly updateIntervalMs: number;
  /** A session's lifetime before `SessionTimeoutException` (AWS: three hours). */
  readonly sessionTimeoutMs: number;
  /** A store other nodes write to (a cluster's): sessions read it each update instead of listening. */
  readonly sharedStore?: LogStore | undefined;
  /** Hears a shared store's read failure (the session then ends with SessionStreamingException). */
  readonly onStoreError?: (error: unknown) => void;
  /** Sessions open at once at most (AWS's default quota: 15 per account); StartLiveTail refuses more. */
  readonly maxSessions: number;
}

interface TailedEvent {
  readonly logStreamName: string;
  readonly logGroupIdentifier: string;
  readonly message: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
}

interface Session {
  readonly criteria: LiveTailCriteria;
  buffered: TailedEvent[];
  /** Wakes the session's wait early (the server is closing). */
  wake?: () => void;
  closed: boolean;
}

export interface LiveTailHub {
  /** The ingestion listener (registered once with `onLogsAppended`). */
  appended(group: string, stream: string, events: readonly LogEvent[]): Promise<void>;
  /** The session's events: `sessionStart`, then an update a tick until the timeout; leaves the hub when returned. */
  open(start: object, criteria: LiveTailCriteria): AsyncGenerator<StreamedEvent, void, undefined>;
  /** Sessions open now (a closed client's session is gone within one update interval). */
  readonly size: number;
  /** Whether another session may open (StartLiveTail answers LimitExceededException otherwise). */
  readonly full: boolean;
  /** Ends every session (shutdown): each stream ends without an exception, as a broken connection would. */
  closeAll(): void;
}

export function liveTailHub(options: LiveTailOptions, now: () => number = Date.now): LiveTailHub {
  const sessions = new Set<Session>();

  async function* run(session: Session, start: object): AsyncGenerator<StreamedEvent, void, undefined> {
    const endsAt = now() + options.sessionTimeoutMs;
    // A call that raced past StartLiveTail's own check (the quota is counted here, not there) ends at once.
    if (sessions.size >= options.maxSessions) return yield STREAMING_FAILED;
    // Joined when the response starts pulling: a generator never started never runs its `finally`.
    sessions.add(session);
    try {
      const readers = options.sharedStore ? await storeReaders(options.sharedStore, session, options.onStoreError) : undefined;
      if (readers === null) return yield STREAMING_FAILED;
      yield { member: "sessionStart", value: start };
      while (!session.closed) {
        const left = endsAt - now();
        if (left <= 0) {
          yield { member: "SessionTimeoutException", value: { message: `Live Tail session timed out after ${lifetime(options.sessionTimeoutMs)}.` } };
          return;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(options.updateIntervalMs, left));
          session.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (session.closed) return;
        if (readers && !(await readStore(session, readers, options.onStoreError))) {
          if (!session.closed) yield STREAMING_FAILED;
          return;
        }
        yield { member: "sessionUpdate", value: takeUpdate(session) };
      }
    } finally {
      session.closed = true;
      sessions.delete(session);
    }
  }

  return {
    async appended(group, stream, events) {
      if (options.sharedStore) return; // the sessions read the store, this node's appends included
      const ingestionTime = now();
      const ingested = events.map((event) => ({ ...event, ingestionTime }));
      for (const session of sessions) keep(session, group, stream, ingested);
    },
    open(start, criteria) {
      return run({ criteria, buffered: [], closed: false }, start);
    },
    get size() {
      return sessions.size;
    },
    get full() {
      return sessions.size >= options.maxSessions;
    },
    closeAll() {
      for (const session of sessions) {
        session.closed = true;
        session.wake?.();
      }
    },
  };
}

function lifetime(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} hours` : `${ms / 1_000} seconds`;
}

/** Buffers the events of one append (or one read) that the session wants. */
function keep(session: Session, group: string, stream: string, events: readonly (LogEvent & { readonly ingestionTime: number })[]): void {
  const identifier = session.criteria.groups.get(group);
  if (identifier === undefined || !streamWanted(session.criteria, stream)) return;
  for (const { message, timestamp, ingestionTime } of events) {
    if (session.criteria.pattern.match(message)) session.buffered.push({ logStreamName: stream, logGroupIdentifier: identifier, message, timestamp, ingestionTime });
  }
  if (session.buffered.length > MAX_BUFFERED_EVENTS) session.buffered.splice(0, session.buffered.length - MAX_BUFFERED_EVENTS);
}

function streamWanted(criteria: LiveTailCriteria, stream: string): boolean {
  if (criteria.streamNames) return criteria.streamNames.has(stream);
  if (criteria.streamPrefixes) return criteria.streamPrefixes.some((prefix) => stream.startsWith(prefix));
  return true;
}

/** A store that fails mid-session (or is closing) ends the stream with AWS's "unknown error on the server side". */
const STREAMING_FAILED: StreamedEvent = { member: "SessionStreamingException", value: { message: "Unkai could not read the log store; the details are in Unkai's own log." } };

/** One reader per tailed group, each starting at the group's newest event; null when the store failed. */
async function storeReaders(store: LogStore, session: Session, onError: ((error: unknown) => void) | undefined): Promise<Map<string, GroupReader> | null> {
  const streams = session.criteria.streamNames ? [...session.criteria.streamNames] : undefined;
  const readers = new Map<string, GroupReader>();
  try {
    // Settling is wall-clock time: commits lag in real time.
    for (const group of session.criteria.groups.keys()) readers.set(group, await groupReader(store, group, streams, Date.now));
  } catch (error) {
    onError?.(error);
    return null;
  }
  return readers;
}

/** Buffers what the groups got since the last read; false when the store failed. */
async function readStore(session: Session, readers: ReadonlyMap<string, GroupReader>, onError: ((error: unknown) => void) | undefined): Promise<boolean> {
  try {
    for (const [group, reader] of readers) {
      for (const event of await reader.read()) keep(session, group, event.logStreamName, [event]);
    }
    return true;
  } catch (error) {
    // At shutdown the store closes under an open session: not worth an error line.
    if (!session.closed) onError?.(error);
    return false;
  }
}

/** What arrived since the last update: all of it up to 500 events, else 500 spread evenly over it. */
function takeUpdate(session: Session): object {
  const all = session.buffered;
  session.buffered = [];
  const sampled = all.length > MAX_EVENTS_PER_UPDATE;
  const sessionResults = sampled ? Array.from({ length: MAX_EVENTS_PER_UPDATE }, (_, i) => all[Math.floor((i * all.length) / MAX_EVENTS_PER_UPDATE)]) : all;
  return { sessionMetadata: { sampled }, sessionResults };
}

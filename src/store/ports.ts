/** Storage ports: every backend (SQLite now, PostgreSQL later) implements these and passes test/store-contract. */
import type { FunctionRecord } from "../core/function.js";
import type { InvocationRecord } from "../core/invocation.js";

export interface FunctionStore {
  get(name: string): FunctionRecord | undefined;
  /** Inserts; returns false when a function of that name exists. */
  create(record: FunctionRecord): boolean;
  /** Replaces when the stored revision is `expectedRevision`; returns false otherwise. */
  update(record: FunctionRecord, expectedRevision: string): boolean;
  delete(name: string): boolean;
  /** Functions ordered by name, starting after `afterName`. */
  list(afterName: string | undefined, limit: number): FunctionRecord[];
  count(): number;
  totalCodeSize(): number;
  /** Sum of reserved concurrency over all functions except `exceptName`. */
  reservedConcurrencyTotal(exceptName?: string): number;
}

export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
}

export interface StoredLogEvent extends LogEvent {
  readonly logStreamName: string;
  readonly ingestionTime: number;
  readonly eventId: string;
}

export interface LogStreamInfo {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly firstEventTimestamp: number | undefined;
  readonly lastEventTimestamp: number | undefined;
  readonly storedBytes: number;
}

export interface LogQuery {
  readonly group: string;
  readonly streams?: readonly string[] | undefined;
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  /** Substring filter on the message. */
  readonly contains?: string | undefined;
  /** Opaque cursor from a previous page. */
  readonly afterId?: number | undefined;
  readonly limit: number;
}

export interface LogStore {
  append(group: string, stream: string, events: readonly LogEvent[]): void;
  query(query: LogQuery): { events: StoredLogEvent[]; lastId: number | undefined };
  groups(prefix: string | undefined): { name: string; creationTime: number; storedBytes: number }[];
  streams(group: string, prefix: string | undefined, limit: number): LogStreamInfo[];
  deleteGroup(group: string): void;
}

export interface InvocationStore {
  add(record: InvocationRecord): void;
  recent(functionName: string, limit: number): InvocationRecord[];
  get(requestId: string): InvocationRecord | undefined;
}

/** Everything the server needs from a backend, with one lifecycle. */
export interface Store {
  readonly functions: FunctionStore;
  readonly logs: LogStore;
  readonly invocations: InvocationStore;
  close(): void;
}

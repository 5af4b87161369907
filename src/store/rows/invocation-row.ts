/** An invocations row as both backends read it, and the record it is. */
import type { InvocationRecord, InvocationStatus } from "../../core/invocation.js";

export interface InvocationRow {
  request_id: string;
  function_name: string;
  version: string;
  started_at: number;
  duration_ms: number;
  billed_duration_ms: number;
  init_duration_ms: number | null;
  /** PostgreSQL's boolean; SQLite's 0 or 1. */
  cold_start: boolean | number;
  memory_size_mb: number;
  max_memory_used_mb: number;
  status: string;
  error_type: string | null;
  log_stream: string | null;
}

export function invocationFrom(row: InvocationRow): InvocationRecord {
  return {
    requestId: row.request_id,
    functionName: row.function_name,
    version: row.version,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    billedDurationMs: row.billed_duration_ms,
    initDurationMs: row.init_duration_ms ?? undefined,
    coldStart: row.cold_start === true || row.cold_start === 1,
    memorySizeMb: row.memory_size_mb,
    maxMemoryUsedMb: row.max_memory_used_mb,
    status: row.status as InvocationStatus,
    errorType: row.error_type ?? undefined,
    logStream: row.log_stream ?? undefined,
  };
}

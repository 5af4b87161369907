/**
 * Log ingestion: every append to the log store (PutLogEvents, a function's captured output, access
 * logs) feeds, once committed, the group's metric filters (metric-ingestion.ts) and then the ingestion
 * listeners the logs module registers (subscription delivery). A listener's failure is reported and
 * never fails the append; the append answers after every listener finished, so what a PutLogEvents
 * caller wrote has fed its metrics and been queued for its subscribers.
 */
import { withMethods, withPorts, type PortMethod } from "../../store/port-proxy.js";
import type { DocumentStore, LogEvent, LogStore, Store } from "../../store/ports.js";
import { FILTER_LIST_TTL_MS, withMetricFilterIngestion } from "./metric-ingestion.js";

export type AppendListener = (group: string, stream: string, events: readonly LogEvent[]) => Promise<void>;

export interface LogIngestion {
  /** The store whose `logs.append` feeds metric filters and the listeners. */
  readonly store: Store;
  /** Adds a listener (the logs module's subscription delivery). */
  onAppended(listener: AppendListener): void;
}

/**
 * A document store whose reads are reused for FILTER_LIST_TTL_MS, as metric filters' lists are: every
 * captured log line would otherwise pay a read. Writes through it take effect at once; a write on
 * another node of a cluster counts within the bound.
 */
export function cachedDocuments<T>(documents: DocumentStore<T>, now: () => number = Date.now): DocumentStore<T> {
  const kept = new Map<string, { readonly at: number; readonly document: Promise<T | undefined> }>();
  const forgetting = <R>(write: Promise<R>) => write.finally(() => kept.clear());
  return {
    get(id) {
      const hit = kept.get(id);
      if (hit && now() - hit.at < FILTER_LIST_TTL_MS) return hit.document;
      if (kept.size >= 10_000) kept.clear();
      const document = documents.get(id);
      kept.set(id, { at: now(), document });
      // A failed read is not kept: the next append asks again.
      document.catch(() => kept.delete(id));
      return document;
    },
    put: (id, document) => forgetting(documents.put(id, document)),
    delete: (id) => forgetting(documents.delete(id)),
    list: () => documents.list(),
  };
}

export function withLogIngestion(backend: Store, onError: (error: unknown) => void): LogIngestion {
  const metered = withMetricFilterIngestion(backend, onError);
  const listeners: AppendListener[] = [];
  const logs = metered.logs;
  const append: LogStore["append"] = async (group, stream, events) => {
    await logs.append(group, stream, events);
    await Promise.all(listeners.map((listener) => listener(group, stream, events).catch(onError)));
  };
  return {
    store: withPorts(metered, { logs: withMethods(logs, (method, name) => (name === "append" ? (append as PortMethod) : method)) }),
    onAppended: (listener) => void listeners.push(listener),
  };
}

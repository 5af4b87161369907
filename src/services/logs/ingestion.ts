/**
 * Log ingestion: every append to the log store (PutLogEvents, a function's captured output, access
 * logs) is handed, once committed, to the ingestion listeners: the group's metric filters
 * (metric-ingestion.ts) and, once the logs module registers it, subscription delivery. A listener's
 * failure is reported and never fails the append; the append answers after every listener finished,
 * so what a PutLogEvents caller wrote has fed its metrics and been queued for its subscribers.
 */
import { compileFilterPattern, type FilterPattern } from "../../core/log-filter/index.js";
import type { LogEvent, LogStore, Store } from "../../store/ports.js";
import { metricFilterListener } from "./metric-ingestion.js";

export type AppendListener = (group: string, stream: string, events: readonly LogEvent[]) => Promise<void>;

export interface LogIngestion {
  /** The store whose `logs.append` feeds the listeners. */
  readonly store: Store;
  /** Adds a listener (the logs module's subscription delivery). */
  onAppended(listener: AppendListener): void;
}

/** Compiled patterns by text, shared by the listeners; bounded so a stream of distinct patterns cannot grow it forever. */
export function patternCache(): (text: string) => FilterPattern {
  const compiled = new Map<string, FilterPattern>();
  return (text) => {
    let pattern = compiled.get(text);
    if (!pattern) {
      pattern = compileFilterPattern(text);
      if (compiled.size >= 10_000) compiled.clear();
      compiled.set(text, pattern);
    }
    return pattern;
  };
}

export function withLogIngestion(store: Store, onError: (error: unknown) => void): LogIngestion {
  const listeners: AppendListener[] = [metricFilterListener(store, patternCache())];
  const logs = store.logs;
  const append: LogStore["append"] = async (group, stream, events) => {
    await logs.append(group, stream, events);
    await Promise.all(listeners.map((listener) => listener(group, stream, events).catch(onError)));
  };
  // Proxies rather than spreads: a backend's ports may be class instances whose methods need their `this`.
  const wrappedLogs = new Proxy(logs, { get: (target, key) => (key === "append" ? append : bound(target, key)) });
  return {
    store: new Proxy(store, { get: (target, key) => (key === "logs" ? wrappedLogs : bound(target, key)) }),
    onAppended: (listener) => void listeners.push(listener),
  };
}

function bound(target: object, key: string | symbol): unknown {
  const value: unknown = Reflect.get(target, key);
  return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
}

/**
 * better-sqlite3 answers synchronously; the ports answer with Promises (a networked backend cannot
 * answer any other way). Each SQLite store is written against `SyncPort<P>` and presented as `P`
 * here, in one place, so its methods stay plain statements and the adapter is the only added cost:
 * one already-resolved Promise per call, no extra microtask hop before the work runs.
 */

/** A port `P` as a synchronous backend implements it: each method's result without the Promise. */
export type SyncPort<P> = {
  readonly [K in keyof P]: P[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R | Promise<R> : P[K];
};

/** Presents a synchronous implementation as the port: results resolve, throws become rejections. */
export function promised<P extends object>(impl: SyncPort<P>): P {
  const port: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(impl)) {
    if (typeof value !== "function") {
      port[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    port[name] = (...args: unknown[]): Promise<unknown> => {
      try {
        return Promise.resolve(method.apply(impl, args));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
  }
  return port as P;
}

/** What a backend hands the contract suite, and what each contract case receives. */
import type { LogStorePolicy, Store } from "../../src/store/ports.js";
import type { ContractStore } from "./recorder.js";

/** One isolated storage (a fresh SQLite file, a fresh PostgreSQL schema …) that stores open onto. */
export interface StoreHarness {
  /** Opens a store on this storage; called again while one is open, it is a second node on the same data. */
  open(): Promise<Store> | Store;
  /** Removes the storage; every store opened on it is closed by then. */
  destroy(): Promise<void> | void;
}

/** How the stores of one case are configured: every store the harness opens gets these. */
export interface StoreOptions {
  /** The log store's retention default and per-group byte cap (`LogStorePolicy` in ports.ts). */
  readonly logPolicy: LogStorePolicy;
}

/** What cases run with unless they ask otherwise: no default retention, a cap no ordinary case reaches. */
export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  logPolicy: { defaultRetentionDays: undefined, groupMaxBytes: 64 * 1024 * 1024 },
};

/** Makes a fresh, isolated harness for one contract case, whose stores open with `options`. */
export type MakeStore = (options: StoreOptions) => Promise<StoreHarness> | StoreHarness;

export interface StoreContext {
  /** The store the case runs against (closed by the suite afterwards). */
  readonly store: ContractStore;
  /** Closes `store` and opens the same storage again: what was committed must be there. */
  readonly reopen: () => Promise<ContractStore>;
  /** Another store on the same storage, open at the same time (a second node); closed by the suite. */
  readonly another: () => Promise<ContractStore>;
}

/** Declares one contract case; each case gets its own harness, made with `options` over the defaults. */
export type StoreTest = (name: string, body: (context: StoreContext) => Promise<void>, options?: Partial<StoreOptions>) => void;

/** Compares through JSON, as stored documents do: an `undefined` member and a missing one are the same. */
export function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** Runs `check` on the open store, then again on the same storage reopened (what was committed must be there). */
export async function checkAndAfterReopen(
  context: Pick<StoreContext, "store" | "reopen">,
  check: (store: ContractStore) => Promise<void>,
): Promise<void> {
  await check(context.store);
  await check(await context.reopen());
}

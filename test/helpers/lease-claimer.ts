/**
 * A worker thread that claims async events from a SQLite file, one id at a time, as a second
 * node would: it waits at a shared start line so both claimers race, then reports what it leased
 * and when it was leasing.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteStore } from "../../src/store/sqlite/index.js";

interface ClaimerData {
  readonly path: string;
  readonly ids: readonly string[];
  readonly now: number;
  /** Int32Array over a SharedArrayBuffer: [0] counts claimers ready; both go when it reaches 2. */
  readonly startLine: SharedArrayBuffer;
}

/** What a claimer reports: the ids it leased, and when its first call ended and its last began. */
export interface ClaimerResult {
  readonly leased: string[];
  readonly firstEndNs: bigint;
  readonly lastStartNs: bigint;
}

const { path, ids, now, startLine } = workerData as ClaimerData;
const store = openSqliteStore(path, () => undefined);
const line = new Int32Array(startLine);
Atomics.add(line, 0, 1);
Atomics.notify(line, 0);
while (Atomics.load(line, 0) < 2) Atomics.wait(line, 0, 1);
const leased: string[] = [];
// On the process-wide monotonic clock (the same in every thread): when this claimer's first lease
// call had returned and when its last one began, so the test can tell whether the two interleaved.
let firstEndNs = 0n;
let lastStartNs = 0n;
for (const [i, id] of ids.entries()) {
  if (i === ids.length - 1) lastStartNs = process.hrtime.bigint();
  for (const event of await store.asyncQueue.lease([id], now, now + 60_000)) leased.push(event.id);
  if (i === 0) firstEndNs = process.hrtime.bigint();
}
await store.close();
parentPort?.postMessage({ leased, firstEndNs, lastStartNs } satisfies ClaimerResult);

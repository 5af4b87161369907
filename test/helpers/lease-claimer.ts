/**
 * A worker thread that claims async events from a SQLite file, one id at a time, as a second
 * node would: it waits at a shared start line so both claimers race, then reports what it leased.
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

const { path, ids, now, startLine } = workerData as ClaimerData;
const store = openSqliteStore(path, () => undefined);
const line = new Int32Array(startLine);
Atomics.add(line, 0, 1);
Atomics.notify(line, 0);
while (Atomics.load(line, 0) < 2) Atomics.wait(line, 0, 1);
const leased: string[] = [];
for (const id of ids) for (const event of store.asyncQueue.lease([id], now, now + 60_000)) leased.push(event.id);
store.close();
parentPort?.postMessage(leased);

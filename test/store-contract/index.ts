/**
 * The storage contract: every backend runs `describeStoreContract` and must pass it unchanged.
 * One file per port declares that port's cases; the last case checks that every method of every
 * port object was called (see recorder.ts) and prints the count.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accessKeyStoreContract } from "./access-key-store.js";
import { archivedEventStoreContract } from "./archived-event-store.js";
import { asyncQueueStoreContract } from "./async-queue-store.js";
import { clusterStoreContract } from "./cluster-store.js";
import { documentStoreContract } from "./document-store.js";
import { dynamoDbStoreContract } from "./dynamodb-store.js";
import { eventInvokeConfigStoreContract } from "./event-config-store.js";
import { functionStoreContract } from "./function-store.js";
import { functionUrlStoreContract } from "./function-url-store.js";
import { DEFAULT_STORE_OPTIONS, type MakeStore, type StoreContext, type StoreTest } from "./harness.js";
import { invocationStoreContract } from "./invocation-store.js";
import { iamStoreContract } from "./iam-store.js";
import { kinesisRecordStoreContract } from "./kinesis-record-store.js";
import { stsSessionStoreContract } from "./sts-session-store.js";
import { layerStoreContract } from "./layer-store.js";
import { logStoreContract } from "./log-store.js";
import { messageStoreContract } from "./message-store.js";
import { alarmStoreContract } from "./alarm-store.js";
import { metricDataStoreContract, metricFilterStoreContract } from "./metric-store.js";
import { objectStoreContract } from "./object-store.js";
import { objectVersionsContract } from "./object-versions.js";
import { queueStoreContract } from "./queue-store.js";
import { CoverageRecorder, type ContractStore } from "./recorder.js";
import { scheduleTimerStoreContract } from "./schedule-timer-store.js";
import { shardLeaseStoreContract } from "./shard-lease-store.js";
import { snsDeduplicationStoreContract } from "./sns-deduplication-store.js";
import { streamShardStoreContract } from "./stream-shard-store.js";
import { testEventStoreContract } from "./test-event-store.js";
import { aliasStoreContract, versionStoreContract } from "./version-store.js";

export type { MakeStore, StoreHarness, StoreContext, StoreOptions, StoreTest } from "./harness.js";

/** Port name → the file declaring its cases. A new port gets a file and a line here. */
const PORTS: readonly [string, (test: StoreTest) => void][] = [
  ["FunctionStore", functionStoreContract],
  ["VersionStore", versionStoreContract],
  ["AliasStore", aliasStoreContract],
  ["EventInvokeConfigStore", eventInvokeConfigStoreContract],
  ["FunctionUrlStore", functionUrlStoreContract],
  ["TestEventStore", testEventStoreContract],
  ["AsyncQueueStore", asyncQueueStoreContract],
  ["LogStore", logStoreContract],
  ["InvocationStore", invocationStoreContract],
  ["LayerStore", layerStoreContract],
  ["AccessKeyStore", accessKeyStoreContract],
  ["DocumentStore", documentStoreContract],
  ["ObjectStore", objectStoreContract],
  ["ObjectStore versions", objectVersionsContract],
  ["QueueStore", queueStoreContract],
  ["MessageStore", messageStoreContract],
  ["ScheduleTimerStore", scheduleTimerStoreContract],
  ["ShardLeaseStore", shardLeaseStoreContract],
  ["SnsDeduplicationStore", snsDeduplicationStoreContract],
  ["DynamoDbStore", dynamoDbStoreContract],
  ["StreamShardStore", streamShardStoreContract],
  ["KinesisRecordStore", kinesisRecordStoreContract],
  ["ArchivedEventStore", archivedEventStoreContract],
  ["MetricFilterStore", metricFilterStoreContract],
  ["MetricDataStore", metricDataStoreContract],
  ["AlarmStore", alarmStoreContract],
  ["IamStore", iamStoreContract],
  ["StsSessionStore", stsSessionStoreContract],
  ["ClusterStore", clusterStoreContract],
];

export function describeStoreContract(name: string, makeStore: MakeStore): void {
  const coverage = new CoverageRecorder();
  const test: StoreTest = (caseName, body, options) => {
    it(caseName, async () => {
      const harness = await makeStore({ ...DEFAULT_STORE_OPTIONS, ...options });
      const open: ContractStore[] = [];
      const openOne = async () => {
        const store = coverage.wrap(await harness.open());
        open.push(store);
        return store;
      };
      try {
        let current = await openOne();
        const context: StoreContext = {
          get store() {
            return current;
          },
          reopen: async () => {
            await current.close();
            current = await openOne();
            return current;
          },
          another: openOne,
        };
        await body(context);
      } finally {
        // close() is idempotent on every backend: closing a closed store is a no-op.
        for (const store of open) await store.close();
        await harness.destroy();
      }
    });
  };

  describe(`store contract: ${name}`, () => {
    for (const [port, declare] of PORTS) describe(port, () => declare(test));

    it("covers every method of every port", () => {
      const { total, covered, uncovered } = coverage.report();
      console.log(`store contract: covered ${covered} of ${total} port methods`);
      assert.ok(total > 0, "no port methods were found: did any case open a store?");
      assert.deepEqual(uncovered, [], `port methods no contract case calls: ${uncovered.join(", ")}`);
    });
  });
}

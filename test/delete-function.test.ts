/** DeleteFunction is one operation in one transaction: all of the function goes, or (on a failure midway) none of it. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import type { FunctionRecord } from "../src/core/function.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { createFromFixture } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { unkaiFetch } from "./helpers/unkai-fetch.js";

/** The tables that hold something of one function, by their function-name column. */
const FUNCTION_TABLES = { functions: "name", function_versions: "function_name", aliases: "function_name", event_invoke_configs: "function_name", function_urls: "function_name", test_events: "function_name" };

function rowsOf(dbPath: string, name: string): Record<string, number> {
  const db = new Database(dbPath, { readonly: true });
  try {
    return Object.fromEntries(Object.entries(FUNCTION_TABLES).map(([table, column]) => [table, (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`).get(name) as { n: number }).n]));
  } finally {
    db.close();
  }
}

async function failure(call: Promise<unknown>): Promise<{ name: string }> {
  try {
    await call;
  } catch (error) {
    return error as { name: string };
  }
  assert.fail("the call succeeded");
}

describe("DeleteFunction", () => {
  const suite = unkaiSuite();

  /** A function with versions 1 and 2 (different timeouts, so both are published). */
  async function withTwoVersions(name: string): Promise<void> {
    await createFromFixture(suite.client, name, "node-cjs", { Tags: { team: "blue" } });
    await waitUntilFunctionActiveV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: name });
    await suite.client.send(new PublishVersionCommand({ FunctionName: name }));
    await suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 7 }));
    await waitUntilFunctionUpdatedV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: name });
    assert.equal((await suite.client.send(new PublishVersionCommand({ FunctionName: name }))).Version, "2");
  }

  const putConfig = (name: string, qualifier: string, retries: number) =>
    suite.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: qualifier, MaximumRetryAttempts: retries }));
  const getConfig = (name: string, qualifier: string) => suite.client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: qualifier }));

  it("with a version qualifier deletes that version's EventInvokeConfig only", async () => {
    await withTwoVersions("one-version");
    await putConfig("one-version", "$LATEST", 0);
    await putConfig("one-version", "1", 1);
    await putConfig("one-version", "2", 2);
    await suite.client.send(new DeleteFunctionCommand({ FunctionName: "one-version", Qualifier: "1" }));
    assert.equal((await getConfig("one-version", "$LATEST")).MaximumRetryAttempts, 0);
    assert.equal((await getConfig("one-version", "2")).MaximumRetryAttempts, 2);
    assert.equal((await failure(getConfig("one-version", "1"))).name, "ResourceNotFoundException");
    assert.deepEqual(rowsOf(join(suite.unkai.dataDir, "unkai.db"), "one-version"), {
      functions: 1, function_versions: 1, aliases: 0, event_invoke_configs: 2, function_urls: 0, test_events: 0,
    });
  });

  it("leaves nothing of the function in any store", async () => {
    const name = "doomed";
    await withTwoVersions(name);
    await suite.client.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "2" }));
    await putConfig(name, "$LATEST", 0);
    await putConfig(name, "1", 1);
    await putConfig(name, "live", 2);
    await suite.client.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
    await suite.client.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, Qualifier: "live", AuthType: "NONE" }));
    await suite.client.send(new AddPermissionCommand({ FunctionName: name, StatementId: "anyone", Action: "lambda:InvokeFunction", Principal: "*" }));
    const saved = await unkaiFetch(suite.unkai.url, `/_unkai/functions/${name}/test-events/hello`, { method: "PUT", body: JSON.stringify({ hello: 1 }) });
    assert.equal(saved.status, 200);
    const db = join(suite.unkai.dataDir, "unkai.db");
    assert.deepEqual(rowsOf(db, name), { functions: 1, function_versions: 2, aliases: 1, event_invoke_configs: 3, function_urls: 2, test_events: 1 });

    await suite.client.send(new DeleteFunctionCommand({ FunctionName: name }));
    assert.deepEqual(rowsOf(db, name), { functions: 0, function_versions: 0, aliases: 0, event_invoke_configs: 0, function_urls: 0, test_events: 0 });
  });

  it("rolls everything back when a write fails midway", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unkai-delete-"));
    const path = join(dir, "unkai.db");
    try {
      const store = openSqliteStore(path, () => undefined);
      const record = { name: "kept", revisionId: "r1", codeSize: 1, version: "$LATEST" } as unknown as FunctionRecord;
      assert.ok(await store.functions.create(record));
      await store.versions.put({ ...record, version: "1" });
      await store.aliases.create({ functionName: "kept", name: "live", functionVersion: "1", description: "", additionalVersionWeights: {}, revisionId: "a1" });
      await store.eventInvokeConfigs.put({ functionName: "kept", qualifier: "$LATEST", maximumRetryAttempts: 0, maximumEventAgeSeconds: undefined, onSuccess: undefined, onFailure: undefined, lastModified: 0 });
      const when = new Date(0).toISOString();
      await store.functionUrls.put({ functionName: "kept", qualifier: "$LATEST", urlId: "u1", authType: "NONE", cors: undefined, invokeMode: "BUFFERED", creationTime: when, lastModifiedTime: when });
      await store.testEvents.put("kept", { name: "hello", event: "{}", updatedAt: 0 });
      await store.close();
      const before = rowsOf(path, "kept");
      assert.deepEqual(before, { functions: 1, function_versions: 1, aliases: 1, event_invoke_configs: 1, function_urls: 1, test_events: 1 });

      // A real failure inside the transaction, once the function, its versions, aliases and configs are deleted.
      const raw = new Database(path);
      raw.exec("CREATE TRIGGER fail_url_delete BEFORE DELETE ON function_urls BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
      raw.close();
      const reopened = openSqliteStore(path, () => undefined);
      await assert.rejects(reopened.functions.delete("kept"), /disk says no/);
      assert.deepEqual(rowsOf(path, "kept"), before, "nothing was deleted");
      assert.equal((await reopened.functions.get("kept"))?.name, "kept");
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

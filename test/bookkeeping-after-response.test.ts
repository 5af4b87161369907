/**
 * A warm invocation's logs and record are written just after its response (engine/bookkeeping.ts):
 * a request sent the moment the response arrives must still find them, through the API and the console.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PendingBookkeeping } from "../src/engine/bookkeeping.js";
import { createFromFixture, invoke, lambda, signedFetch } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

describe("invocation bookkeeping after the response", () => {
  let unkai: TestUnkai;
  before(async () => {
    unkai = await startUnkai();
    await createFromFixture(lambda(unkai.url), "kept", "node-cjs");
  });
  after(async () => {
    await unkai.stop();
  });

  const filter = async (requestId: string): Promise<string[]> => {
    const response = await signedFetch(`${unkai.url}/`, {
      method: "POST",
      service: "logs",
      headers: { "X-Amz-Target": "Logs_20140328.FilterLogEvents", "Content-Type": "application/x-amz-json-1.1" },
      body: JSON.stringify({ logGroupName: "/aws/lambda/kept", filterPattern: `"${requestId}"` }),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { events: { message: string }[] }).events.map((e) => e.message);
  };

  it("a request sent as a warm response arrives finds that invocation's START, line, END, REPORT and record", async () => {
    const client = lambda(unkai.url);
    await invoke(client, "kept", { warm: 0 }, false);
    for (let i = 1; i <= 30; i++) {
      const { raw } = await invoke(client, "kept", { warm: i }, false);
      const requestId = raw.$metadata.requestId ?? "";
      const lines = await filter(requestId);
      for (const prefix of ["START RequestId:", "END RequestId:", "REPORT RequestId:"]) {
        assert.ok(lines.some((line) => line.startsWith(`${prefix} ${requestId}`)), `invocation ${i}: ${prefix} is there at once (${lines.length} lines)`);
      }
      const records = await signedFetch(`${unkai.url}/_unkai/functions/kept/invocations?limit=1`);
      const [newest] = ((await records.json()) as { invocations: { requestId: string }[] }).invocations;
      assert.equal(newest?.requestId, requestId, `invocation ${i}: its record is the newest at once`);
    }
    client.destroy();
  });

  it("a read waits only for what was pending when it came, so a tenant invoking without pause cannot hold back another's reads", async () => {
    const bookkeeping = new PendingBookkeeping();
    assert.equal(bookkeeping.settled(), undefined, "nothing pending: reads go straight through");
    let finishEarlier = (): void => undefined;
    let finishLater = (): void => undefined;
    bookkeeping.track(new Promise<void>((resolve) => (finishEarlier = resolve)));
    const read = bookkeeping.settled();
    bookkeeping.track(new Promise<void>((resolve) => (finishLater = resolve)));
    let readGoesOn = false;
    void read?.then(() => (readGoesOn = true));
    finishEarlier();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(readGoesOn, "the read goes on once the work pending when it came is written, though newer work is still pending");
    assert.notEqual(bookkeeping.settled(), undefined, "the newer work is still pending");
    finishLater();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(bookkeeping.settled(), undefined, "written work stops counting");
  });
});

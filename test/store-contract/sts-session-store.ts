/** StsSessionStore: AssumeRole sessions until they expire, across a reopen and shared by every node; swept when expired. */
import assert from "node:assert/strict";
import type { StsSessionRecord } from "../../src/store/ports.js";
import type { StoreTest } from "./harness.js";

const session = (accessKeyId: string, expiresAt: number): StsSessionRecord => ({
  accessKeyId, secretAccessKey: `secret-${accessKeyId}`, sessionToken: `token-${accessKeyId}`,
  principal: JSON.stringify({ kind: "role-session", roleArn: "arn:aws:iam::123456789012:role/r", sessionName: "s" }), expiresAt,
});

export function stsSessionStoreContract(test: StoreTest): void {
  test("a session is found while live, by every node and after a reopen, and not once expired", async ({ store, another, reopen }) => {
    const now = 1_000_000;
    await store.stsSessions.put(session("ASIALIVE", now + 900_000));
    assert.deepEqual({ ...(await store.stsSessions.get("ASIALIVE", now)) }, session("ASIALIVE", now + 900_000));
    assert.equal(await store.stsSessions.get("ASIAOTHER", now), undefined);
    assert.equal((await (await another()).stsSessions.get("ASIALIVE", now))?.sessionToken, "token-ASIALIVE", "another node finds it");
    const reopened = await reopen();
    assert.equal((await reopened.stsSessions.get("ASIALIVE", now + 899_999))?.secretAccessKey, "secret-ASIALIVE");
    assert.equal(await reopened.stsSessions.get("ASIALIVE", now + 900_000), undefined, "expired at its expiry");
  });

  test("deleteExpired sweeps expired sessions, at most `limit` at a time, and keeps live ones", async ({ store }) => {
    const now = 2_000_000;
    for (const id of ["ASIA1", "ASIA2", "ASIA3"]) await store.stsSessions.put(session(id, now - 1));
    await store.stsSessions.put(session("ASIA4", now + 1));
    assert.equal(await store.stsSessions.deleteExpired(now, 2), 2);
    assert.equal(await store.stsSessions.deleteExpired(now, 10), 1);
    assert.equal(await store.stsSessions.deleteExpired(now, 10), 0);
    assert.equal((await store.stsSessions.get("ASIA4", now))?.accessKeyId, "ASIA4");
  });
}

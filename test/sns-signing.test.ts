/** The installation's SNS signing identity: made once, kept across restarts, a certificate X509Certificate accepts. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verify, X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import { signingIdentity } from "../src/services/sns/certificate.js";
import { signMessage } from "../src/services/sns/signing.js";

describe("SNS signing identity", () => {
  it("is created once in the data directory and read back the same after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unkai-sns-key-"));
    try {
      const first = await signingIdentity(dir, Date.UTC(2026, 11, 3))();
      const again = await signingIdentity(dir, Date.UTC(2027, 0, 1))();
      assert.equal(again.certificatePem, first.certificatePem);
      assert.equal(again.fileName, first.fileName);
      assert.match(first.fileName, /^SimpleNotificationService-[0-9a-f]{32}\.pem$/);
      assert.equal(statSync(join(dir, "sns", "signing-key.pem")).mode & 0o777, 0o600, "the private key is readable by Unkai's user only");
      const certificate = new X509Certificate(first.certificatePem);
      assert.equal(certificate.subject, "CN=Unkai SNS signing");
      assert.ok(certificate.verify(certificate.publicKey));
      assert.ok(new Date(certificate.validTo).getTime() > Date.UTC(2045, 0, 1));
      const message = { Type: "Notification", MessageId: "m", TopicArn: "arn:aws:sns:us-east-1:000000000000:t", Message: "hi", Timestamp: "2026-12-03T00:00:00.000Z" };
      const canonical = "Message\nhi\nMessageId\nm\nTimestamp\n2026-12-03T00:00:00.000Z\nTopicArn\narn:aws:sns:us-east-1:000000000000:t\nType\nNotification\n";
      assert.ok(verify("sha1", Buffer.from(canonical), certificate.publicKey, Buffer.from(signMessage(first, message, "1"), "base64")));
      assert.ok(verify("sha256", Buffer.from(canonical), certificate.publicKey, Buffer.from(signMessage(first, message, "2"), "base64")));
      assert.ok(!verify("sha256", Buffer.from(canonical), certificate.publicKey, Buffer.from(signMessage(first, message, "1"), "base64")), "the versions differ");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a damaged certificate at start rather than signing with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unkai-sns-key-"));
    try {
      const identity = signingIdentity(dir, Date.now());
      assert.equal(existsSync(join(dir, "sns", "signing-key.pem")), false, "the key is made on first use, not at start");
      const first = await identity();
      assert.equal(await identity(), first, "made once");
      assert.match(first.fileName, /^SimpleNotificationService-[0-9a-f]{32}\.pem$/);
      writeFileSync(join(dir, "sns", "signing-cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
      assert.throws(() => signingIdentity(dir, Date.now()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

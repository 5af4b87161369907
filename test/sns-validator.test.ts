/**
 * AWS's own SNS message validator (the `sns-validator` package) accepts what Unkai delivers, when told
 * to trust the certificate's host. That validator fetches SigningCertURL over HTTPS only and checks its
 * host against a pattern, so the test fronts Unkai's certificate with a local HTTPS server (a
 * self-signed TLS certificate made here with openssl, trusted through https.globalAgent, which the
 * validator's `https.get` uses) that fetches the PEM from the message's real SigningCertURL. The
 * rewritten URL is not part of what is signed; the Signature is Unkai's, unchanged.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, globalAgent, type Server } from "node:https";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { queuePolicy } from "./helpers/service-access.js";
import { Endpoint, type Envelope } from "./helpers/sns.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

interface MessageValidator {
  validate(message: Record<string, unknown>, callback: (error: Error | null, message?: unknown) => void): void;
}
// sns-validator is plain JS without type declarations.
const Validator = createRequire(import.meta.url)("sns-validator") as new (hostPattern?: RegExp) => MessageValidator;

const validate = (validator: MessageValidator, message: Record<string, unknown>) =>
  new Promise<void>((resolve, reject) => validator.validate({ ...message }, (error) => (error ? reject(error) : resolve())));

/** An HTTPS server on localhost with a throwaway self-signed certificate that serves Unkai's SNS certificate. */
class CertificateFront {
  /** path on this server → the message's real SigningCertURL on Unkai. */
  private readonly real = new Map<string, string>();
  readonly fetched: string[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), "unkai-sns-tls-"));
  readonly tlsCertificate: string;
  private readonly server: Server;
  origin = "";

  constructor() {
    const [key, cert] = [join(this.dir, "key.pem"), join(this.dir, "cert.pem")];
    execFileSync("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"], { stdio: "ignore" });
    this.tlsCertificate = readFileSync(cert, "utf8");
    this.server = createServer({ key: readFileSync(key), cert: this.tlsCertificate }, (req, res) => {
      const path = req.url ?? "";
      this.fetched.push(path);
      // A certificate that is not Unkai's signing certificate, for the check that the validator really uses the one it fetched.
      if (path === "/tls-certificate.pem") return void res.end(this.tlsCertificate);
      const real = this.real.get(path);
      if (!real) return void res.writeHead(404).end();
      fetch(real).then(async (answer) => res.writeHead(answer.status).end(await answer.text()), () => res.writeHead(502).end());
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "localhost", resolve));
    this.origin = `https://localhost:${(this.server.address() as AddressInfo).port}`;
  }

  /** The message with SigningCertURL pointing here (same path), as a subscriber that trusts this host would fetch it. */
  front(message: Envelope): Record<string, unknown> {
    const real = new URL(message.SigningCertURL ?? "");
    this.real.set(real.pathname, real.href);
    return { ...message, SigningCertURL: `${this.origin}${real.pathname}` };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe("AWS's sns-validator and Unkai's SNS messages", () => {
  const suite = unkaiSuite();
  const front = new CertificateFront();
  const trustedCa = globalAgent.options.ca;
  let sns: SNSClient;
  let sqs: SQSClient;
  let endpoint: Endpoint;
  before(async () => {
    await front.start();
    globalAgent.options.ca = front.tlsCertificate;
    endpoint = await new Endpoint().start("/validated");
    sns = new SNSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    sqs = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    globalAgent.options.ca = trustedCa;
    await endpoint.close();
    await front.close();
  });

  /** Two topics (SignatureVersion 1 and 2), each delivering to one queue and one http endpoint; returns the notifications and confirmations. */
  async function deliveries(): Promise<{ notifications: Envelope[]; confirmations: Envelope[] }> {
    const queueArn = "arn:aws:sqs:us-east-1:000000000000:validated";
    const Policy = queuePolicy(queueArn, [{ service: "sns.amazonaws.com", sourceArn: "arn:aws:sns:us-east-1:000000000000:*" }]);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "validated", Attributes: { Policy } }));
    const v1 = (await sns.send(new CreateTopicCommand({ Name: "validated-v1" }))).TopicArn;
    const v2 = (await sns.send(new CreateTopicCommand({ Name: "validated-v2", Attributes: { SignatureVersion: "2" } }))).TopicArn;
    for (const TopicArn of [v1, v2]) {
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: endpoint.url }));
    }
    await sns.send(new PublishCommand({ TopicArn: v1, Subject: "Order received", Message: "line one\nline two — ünïcode" }));
    await sns.send(new PublishCommand({ TopicArn: v2, Message: '{"order":1}', MessageAttributes: { kind: { DataType: "String", StringValue: "order" } } }));
    const notifications: Envelope[] = [];
    await waitFor("both notifications in the queue", async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      notifications.push(...Messages.map((m) => JSON.parse(m.Body ?? "{}") as Envelope));
      return notifications.length >= 2 ? true : undefined;
    }, 30_000);
    const confirmations = await waitFor("both SubscriptionConfirmations", () => {
      const received = endpoint.of("SubscriptionConfirmation").map((r) => r.body);
      return received.length >= 2 ? received : undefined;
    }, 30_000);
    return { notifications, confirmations };
  }

  it("accepts notifications (via SQS) and SubscriptionConfirmations (via http), SignatureVersion 1 and 2, and rejects tampered or misattributed ones", async () => {
    const { notifications, confirmations } = await deliveries();
    const versions = (messages: Envelope[]) => messages.map((m) => m.SignatureVersion).sort();
    assert.deepEqual(versions(notifications), ["1", "2"]);
    assert.deepEqual(versions(confirmations), ["1", "2"]);
    const validator = new Validator(new RegExp(`^localhost:${new URL(front.origin).port}$`));
    for (const message of [...notifications, ...confirmations]) {
      await validate(validator, front.front(message));
    }
    assert.ok(front.fetched.some((path) => /^\/_aws\/sns\/SimpleNotificationService-[0-9a-f]{32}\.pem$/.test(path)), "the validator fetched Unkai's certificate");

    const signedV1 = notifications.find((n) => n.SignatureVersion === "1") ?? {};
    const confirmationV1 = confirmations.find((c) => c.SignatureVersion === "1") ?? {};
    const invalid = /The message signature is invalid/;
    await assert.rejects(validate(validator, front.front({ ...signedV1, Message: `${signedV1.Message ?? ""}!` })), invalid, "a tampered Message");
    await assert.rejects(validate(validator, front.front({ ...signedV1, Subject: "Other" })), invalid, "a tampered Subject");
    await assert.rejects(validate(validator, front.front({ ...confirmationV1, SubscribeURL: "https://attacker.example/confirm" })), invalid, "a redirected SubscribeURL");
    await assert.rejects(validate(validator, front.front({ ...signedV1, Signature: confirmationV1.Signature })), invalid, "a Signature Unkai made for another text");
    await assert.rejects(validate(validator, { ...front.front(signedV1), SigningCertURL: `${front.origin}/tls-certificate.pem` }), invalid, "another certificate");

    // Unkai's own SigningCertURL is http; this validator fetches over https only, and trusts only the hosts it is told to.
    const unkaiHost = new URL(signedV1.SigningCertURL ?? "").host.replace(/[.]/g, "\\.");
    await assert.rejects(validate(new Validator(new RegExp(`^${unkaiHost}$`)), { ...signedV1 }), /invalid domain/);
    await assert.rejects(validate(new Validator(), front.front(signedV1)), /invalid domain/, "the default pattern trusts only sns.<region>.amazonaws.com");
  });
});

/** SNS test helpers: an http subscriber that records what it is sent, and a signature check as subscribers make it. */
import assert from "node:assert/strict";
import { verify, X509Certificate } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Envelope {
  Type?: string; MessageId?: string; TopicArn?: string; Subject?: string | null; Message?: string; Timestamp?: string; Token?: string;
  SignatureVersion?: string; Signature?: string; SigningCertURL?: string; SigningCertUrl?: string; UnsubscribeURL?: string; UnsubscribeUrl?: string; SubscribeURL?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/** Checks a message's signature as AWS's docs tell subscribers to: the fields in order, the certificate from SigningCertURL. */
export async function verifySignature(message: Envelope): Promise<boolean> {
  const fields = message.Type === "Notification"
    ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  const values = message as Record<string, unknown>;
  const canonical = fields.filter((f) => typeof values[f] === "string").map((f) => `${f}\n${String(values[f])}\n`).join("");
  const certUrl = message.SigningCertURL ?? message.SigningCertUrl ?? "";
  const pem = await (await fetch(certUrl)).text();
  const certificate = new X509Certificate(pem);
  assert.ok(certificate.verify(certificate.publicKey), "the certificate is self-signed by the key it certifies");
  return verify(message.SignatureVersion === "2" ? "sha256" : "sha1", Buffer.from(canonical, "utf8"), certificate.publicKey, Buffer.from(message.Signature ?? "", "base64"));
}

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Envelope;
  /** When it arrived (epoch milliseconds). */
  readonly at: number;
}

/** An http subscriber: records every POST; answers `answer()` (200 by default), or never when it says "hold". */
export class Endpoint {
  readonly received: Received[] = [];
  private readonly server: Server;
  url = "";
  answer: () => number | "hold" = () => 200;

  constructor() {
    this.server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        this.received.push({ headers: req.headers, body: JSON.parse(body) as Envelope, at: Date.now() });
        const status = this.answer();
        if (status === "hold") return;
        res.statusCode = status;
        res.end();
      });
    });
  }

  async start(path: string): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  of(type: string): Received[] {
    return this.received.filter((r) => r.body.Type === type);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

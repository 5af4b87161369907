/**
 * The installation's SNS signing key and its self-signed X.509 certificate (SigningCertURL serves it),
 * created once (in the data directory, or in a cluster's shared store) and reused. node:crypto signs but does not build certificates,
 * so the certificate's DER is assembled here: a minimal v3 certificate (subject = issuer, no extensions),
 * which X509Certificate and the usual SNS message validators parse.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const generateKeyPairAsync = promisify(generateKeyPair);

export interface SigningIdentity {
  readonly key: KeyObject;
  readonly certificatePem: string;
  /** The file name SigningCertURL ends in: `SimpleNotificationService-<hash>.pem`. */
  readonly fileName: string;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const SHA256_WITH_RSA = tlv(0x30, Buffer.from("06092a864886f70d01010b", "hex"), Buffer.from([0x05, 0x00]));
const commonName = (name: string) => tlv(0x30, tlv(0x31, tlv(0x30, Buffer.from("0603550403", "hex"), tlv(0x0c, Buffer.from(name, "utf8")))));

function utcTime(ms: number): Buffer {
  const iso = new Date(ms).toISOString(); // 2026-12-03T13:40:00.000Z
  return tlv(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`, "ascii"));
}

/** A self-signed certificate for `key`, valid from now for 20 years (within UTCTime's range until 2049). */
export function selfSignedCertificate(key: KeyObject, name: string, nowMs: number): string {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 1) & 0x7f) | 0x01;
  const spki = createPublicKey(key).export({ type: "spki", format: "der" });
  const tbs = tlv(0x30,
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), tlv(0x02, serial), SHA256_WITH_RSA, commonName(name),
    tlv(0x30, utcTime(nowMs - 60_000), utcTime(nowMs + 20 * 365 * 86_400_000)), commonName(name), spki);
  const signature = sign("sha256", tbs, key);
  const der = tlv(0x30, tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
  const base64 = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

/** A new RSA-2048 key and its certificate, as PEM; made off the event loop (it takes a good part of a second). */
async function newIdentityPem(nowMs: number): Promise<{ key: string; certificate: string }> {
  const { privateKey } = await generateKeyPairAsync("rsa", { modulusLength: 2048 });
  return { key: privateKey.export({ type: "pkcs8", format: "pem" }) as string, certificate: selfSignedCertificate(privateKey, "Unkai SNS signing", nowMs) };
}

function identityFrom(keyPem: string | Buffer, certificatePem: string): SigningIdentity {
  const key = createPrivateKey(keyPem);
  new X509Certificate(certificatePem); // refuses a damaged one at start, not at the first delivery
  const hash = createHash("sha256").update(certificatePem).digest("hex").slice(0, 32);
  return { key, certificatePem, fileName: `SimpleNotificationService-${hash}.pem` };
}

/** The cluster's shared secret of SNS's identity (ClusterStore.sharedSecret for one name). */
export type SharedSecret = (candidate: () => Promise<string>) => Promise<string>;

/**
 * The SNS signing identity, made on first use (not at start: making a key takes most of a second).
 * One node keeps it in `<dataDir>/sns/` (an existing one is loaded and checked at once). A cluster
 * keeps it in the shared store, so every node signs with the same key and serves the same
 * certificate: the first node to need it stores its own (the one in its data directory, when it has
 * one, so an installation that becomes a cluster keeps its key) and every node uses the stored one.
 */
export function signingIdentity(dataDir: string, nowMs: number, shared?: SharedSecret): () => Promise<SigningIdentity> {
  const dir = join(dataDir, "sns");
  const keyPath = join(dir, "signing-key.pem");
  const certPath = join(dir, "signing-cert.pem");
  const local = existsSync(keyPath) && existsSync(certPath) ? identityFrom(readFileSync(keyPath), readFileSync(certPath, "utf8")) : undefined;
  const make = shared
    ? async () => {
      const value = await shared(async () => JSON.stringify(local ? { key: readFileSync(keyPath, "utf8"), certificate: local.certificatePem } : await newIdentityPem(nowMs)));
      const { key, certificate } = JSON.parse(value) as { key: string; certificate: string };
      return identityFrom(key, certificate);
    }
    : async () => {
      if (local) return local;
      const made = await newIdentityPem(nowMs);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Written atomically (temp file, then rename), key last: a crash leaves no key without its certificate.
      writeFileSync(`${keyPath}.tmp`, made.key, { mode: 0o600 });
      writeFileSync(`${certPath}.tmp`, made.certificate);
      renameSync(`${certPath}.tmp`, certPath);
      renameSync(`${keyPath}.tmp`, keyPath);
      return identityFrom(made.key, made.certificate);
    };
  let identity: Promise<SigningIdentity> | undefined;
  return () => {
    identity ??= make().catch((error: unknown) => {
      identity = undefined; // the next use tries again (the store was unreachable)
      throw error;
    });
    return identity;
  };
}

/**
 * The installation's SNS signing key and its self-signed X.509 certificate (SigningCertURL serves it),
 * created once in the data directory and reused. node:crypto signs but does not build certificates,
 * so the certificate's DER is assembled here: a minimal v3 certificate (subject = issuer, no extensions),
 * which X509Certificate and the usual SNS message validators parse.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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

/** Creates the key and certificate in `dir` (written atomically: temp file, then rename). */
function createIdentityFiles(dir: string, keyPath: string, certPath: string, nowMs: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const certificate = selfSignedCertificate(privateKey, "Unkai SNS signing", nowMs);
  writeFileSync(`${keyPath}.tmp`, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(`${certPath}.tmp`, certificate);
  renameSync(`${certPath}.tmp`, certPath);
  renameSync(`${keyPath}.tmp`, keyPath);
}

function loadIdentity(keyPath: string, certPath: string): SigningIdentity {
  const key = createPrivateKey(readFileSync(keyPath));
  const certificatePem = readFileSync(certPath, "utf8");
  new X509Certificate(certificatePem); // refuses a damaged file at start, not at the first delivery
  const hash = createHash("sha256").update(certificatePem).digest("hex").slice(0, 32);
  return { key, certificatePem, fileName: `SimpleNotificationService-${hash}.pem` };
}

/**
 * The identity in `<dataDir>/sns/`: loaded (and checked) at once when it exists; otherwise made on first
 * use, because generating an RSA key takes a good part of a second and would delay every first start.
 */
export function signingIdentity(dataDir: string, nowMs: number): SigningIdentity {
  const dir = join(dataDir, "sns");
  const keyPath = join(dir, "signing-key.pem");
  const certPath = join(dir, "signing-cert.pem");
  if (existsSync(keyPath) && existsSync(certPath)) return loadIdentity(keyPath, certPath);
  let made: SigningIdentity | undefined;
  const identity = (): SigningIdentity => {
    if (!made) {
      if (!existsSync(keyPath) || !existsSync(certPath)) createIdentityFiles(dir, keyPath, certPath, nowMs);
      made = loadIdentity(keyPath, certPath);
    }
    return made;
  };
  return {
    get key() { return identity().key; },
    get certificatePem() { return identity().certificatePem; },
    get fileName() { return identity().fileName; },
  };
}

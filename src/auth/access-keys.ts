/** Access key pairs: Unkai's own (`unkai keys create`), a function environment's session credentials, and the loopback default. */
import { randomBytes, randomInt } from "node:crypto";

/** Works only while Unkai listens on loopback and no key is configured (what local AWS tools expect). */
export const DEFAULT_KEY = { accessKeyId: "test", secretAccessKey: "test" } as const;

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** AWS-shaped key ids: `AKIA…` for long-term keys, `ASIA…` for session credentials. */
export function newAccessKeyId(prefix: "AKIA" | "ASIA"): string {
  let id = prefix;
  for (let i = 0; i < 16; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** 40 characters, like AWS's secrets. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString("base64").replaceAll("+", "A").replaceAll("/", "z");
}

export function newSessionToken(): string {
  return randomBytes(96).toString("base64");
}

/** True for 127.0.0.0/8, ::1 and localhost: the default key is accepted only there. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare) || bare === "::ffff:127.0.0.1";
}

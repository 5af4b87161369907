/** IAM's unique ids: a four-letter prefix by kind and 17 upper-case letters and digits. */
import { randomInt } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function iamId(prefix: "AIDA" | "AROA" | "AGPA" | "ANPA" | "AIPA"): string {
  let id = prefix;
  for (let i = 0; i < 17; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

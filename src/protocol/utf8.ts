/**
 * Strict UTF-8 for request bodies. `Buffer#toString` quietly turns bad bytes into U+FFFD, so a JSON
 * body with invalid UTF-8 would parse; AWS's parsers refuse it ("Invalid UTF-8 start byte 0x97"),
 * and so does this, naming the first bad byte the way AWS's messages do.
 */
import { isUtf8 } from "node:buffer";

/** The body as text; throws an Error saying which byte is not UTF-8. */
export function decodeUtf8(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new Error(firstBadByte(bytes));
  return bytes.toString("utf8");
}

/** Bytes a lead byte announces after itself (0: invalid as a lead). */
function continuationCount(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 1;
  if (lead >= 0xe0 && lead <= 0xef) return 2;
  if (lead >= 0xf0 && lead <= 0xf4) return 3;
  return 0;
}

function firstBadByte(bytes: Buffer): string {
  const hex = (byte: number) => `0x${byte.toString(16).padStart(2, "0")}`;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const count = continuationCount(lead);
    if (count === 0) return `Invalid UTF-8 start byte ${hex(lead)}`;
    for (let k = 1; k <= count; k++) {
      const next = bytes[i + k];
      if (next === undefined) return "Unexpected end-of-input in the middle of a UTF-8 character";
      if ((next & 0xc0) !== 0x80) return `Invalid UTF-8 middle byte ${hex(next)}`;
    }
    i += count + 1;
  }
  // Well-formed shapes that are still not UTF-8: overlong forms and surrogates.
  return "Invalid UTF-8 sequence (an overlong form or a surrogate)";
}

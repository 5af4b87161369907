/**
 * Receipt handles: the queue, the message's position and the receive's token, base64url-encoded.
 * Only the latest receive's handle acts on a message (the store compares the token); anything
 * that does not decode is ReceiptHandleIsInvalid.
 */
import { randomBytes } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";

export interface Receipt {
  readonly queue: string;
  readonly seq: number;
  readonly token: string;
}

export const newReceiptToken = (): string => randomBytes(12).toString("base64url");

export function receiptHandle(receipt: Receipt): string {
  return Buffer.from(`${receipt.queue}\n${receipt.seq}\n${receipt.token}`, "utf8").toString("base64url");
}

export function parseReceipt(handle: string, queue: string): Receipt {
  const invalid = new UnkaiError("ReceiptHandleIsInvalid", `The input receipt handle "${handle.slice(0, 200)}" is not a valid receipt handle.`);
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(handle)) throw invalid;
  const [name, seq, token, ...rest] = Buffer.from(handle, "base64url").toString("utf8").split("\n");
  if (rest.length > 0 || !name || !token || !seq || !/^\d{1,15}$/.test(seq)) throw invalid;
  if (name !== queue) throw invalid;
  return { queue: name, seq: Number(seq), token };
}

/**
 * DynamoDB Streams shard iterators: an opaque token naming a stream and shard, a position (the sequence
 * number already read past) and when it was issued, sealed with an HMAC so a caller cannot forge
 * one (a changed position, stream or age is refused, not trusted). The key lives in this process:
 * after a restart old iterators are refused as invalid; readers get a new one (they must every
 * 15 minutes on AWS too), and Lambda's pollers keep sequence numbers, not iterators.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";

/** AWS's iterators are valid for 15 minutes. */
export const ITERATOR_LIFETIME_MS = 15 * 60 * 1000;

export interface IteratorPosition {
  readonly streamArn: string;
  readonly shardId: string;
  /** Records with a sequence number above this are next. */
  readonly afterSequence: number;
  /** Epoch ms. */
  readonly issuedAt: number;
}

const invalidIterator = () => new UnkaiError("ValidationException", "Invalid ShardIterator");

export class ShardIterators {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  private seal(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }

  issue(position: IteratorPosition): string {
    const payload = Buffer.from(JSON.stringify([position.streamArn, position.shardId, position.afterSequence, position.issuedAt])).toString("base64url");
    return `${payload}.${this.seal(payload)}`;
  }

  /** The position a token names; ValidationException when it is not one this process issued, ExpiredIteratorException when too old. */
  read(token: string, nowMs: number): IteratorPosition {
    const [payload, mac, extra] = token.split(".");
    if (payload === undefined || mac === undefined || extra !== undefined) throw invalidIterator();
    const expected = Buffer.from(this.seal(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalidIterator();
    const [streamArn, shardId, afterSequence, issuedAt] = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as [string, string, number, number];
    if (nowMs - issuedAt > ITERATOR_LIFETIME_MS) {
      throw new UnkaiError("ExpiredIteratorException", `Iterator expired. The iterator was created at time ${new Date(issuedAt).toUTCString()} while right now it is ${new Date(nowMs).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`);
    }
    return { streamArn, shardId, afterSequence, issuedAt };
  }
}

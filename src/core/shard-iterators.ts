/**
 * Shard iterators of ordered streams (DynamoDB Streams, Kinesis): an opaque token naming a stream and
 * shard, a position (the sequence number already read past) and when it was issued, sealed with an
 * HMAC so a caller cannot forge one (a changed position, stream or age is refused, not trusted). The
 * key lives in this process: after a restart old iterators are refused as invalid; readers get a new
 * one (they must every few minutes on AWS too), and Lambda's pollers keep sequence numbers, not iterators.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface IteratorPosition {
  readonly streamArn: string;
  readonly shardId: string;
  /** Records with a sequence number above this are next. */
  readonly afterSequence: number;
  /** Epoch ms. */
  readonly issuedAt: number;
}

export interface ShardIteratorRules {
  /** How long an iterator is valid (DynamoDB Streams: 15 minutes; Kinesis: 5). */
  readonly lifetimeMs: number;
  /** The service's error for a token it did not issue. */
  readonly invalid: () => Error;
  /** The service's error for an iterator older than its lifetime. */
  readonly expired: (message: string) => Error;
}

/** The words both services use for an expired iterator. */
function expiredMessage(issuedAt: number, nowMs: number, lifetimeMs: number): string {
  return `Iterator expired. The iterator was created at time ${new Date(issuedAt).toUTCString()} while right now it is ${new Date(nowMs).toUTCString()} which is further in the future than the tolerated delay of ${lifetimeMs} milliseconds.`;
}

export class ShardIterators {
  constructor(private readonly rules: ShardIteratorRules, private readonly key: Buffer = randomBytes(32)) {}

  private seal(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }

  issue(position: IteratorPosition): string {
    const payload = Buffer.from(JSON.stringify([position.streamArn, position.shardId, position.afterSequence, position.issuedAt])).toString("base64url");
    return `${payload}.${this.seal(payload)}`;
  }

  /** The position a token names; the service's invalid error when this process did not issue it, its expired error when too old. */
  read(token: string, nowMs: number): IteratorPosition {
    const [payload, mac, extra] = token.split(".");
    if (payload === undefined || mac === undefined || extra !== undefined) throw this.rules.invalid();
    const expected = Buffer.from(this.seal(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw this.rules.invalid();
    const [streamArn, shardId, afterSequence, issuedAt] = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as [string, string, number, number];
    if (nowMs - issuedAt > this.rules.lifetimeMs) throw this.rules.expired(expiredMessage(issuedAt, nowMs, this.rules.lifetimeMs));
    return { streamArn, shardId, afterSequence, issuedAt };
  }
}

/** The stream a token names, unverified: only for naming the resource an IAM check asks about (the read itself verifies). */
export function streamNamedBy(token: string): string | undefined {
  try {
    const [streamArn] = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as unknown[];
    return typeof streamArn === "string" ? streamArn : undefined;
  } catch {
    return undefined;
  }
}

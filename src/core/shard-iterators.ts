/**
 * Shard iterators of ordered streams (DynamoDB Streams, Kinesis): an opaque token naming a stream and
 * shard, a position (the sequence number already read past) and when it was issued, sealed with an
 * HMAC so a caller cannot forge one (a changed position, stream or age is refused, not trusted). On a
 * cluster the key is the cluster's shared secret, so an iterator one node issued is read by any other
 * behind the balancer; on one node it lives in the process: after a restart old iterators are refused
 * as invalid, and readers get a new one (they must every few minutes on AWS too). Lambda's pollers keep
 * sequence numbers, not iterators.
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

/** Where the sealing key comes from: the cluster's shared secret (read once, when first needed), or a key of this process. */
export type IteratorKey = Buffer | (() => Promise<Buffer>);

/** A token's payload: the JSON array `issue` wrote, base64url-encoded. */
const decoded = (payload: string): unknown => JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));

export class ShardIterators {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly rules: ShardIteratorRules, private readonly keySource: IteratorKey = randomBytes(32)) {}

  private async seal(payload: string): Promise<string> {
    const source = this.keySource;
    this.key ??= Buffer.isBuffer(source) ? Promise.resolve(source) : source().catch((error: unknown) => {
      this.key = undefined; // a failed read of the shared secret is tried again by the next request
      throw error;
    });
    return createHmac("sha256", await this.key).update(payload).digest("base64url");
  }

  async issue(position: IteratorPosition): Promise<string> {
    const payload = Buffer.from(JSON.stringify([position.streamArn, position.shardId, position.afterSequence, position.issuedAt])).toString("base64url");
    return `${payload}.${await this.seal(payload)}`;
  }

  /** The position a token names; the service's invalid error when it was not issued with this key, its expired error when too old. */
  async read(token: string, nowMs: number): Promise<IteratorPosition> {
    const [payload, mac, extra] = token.split(".");
    if (payload === undefined || mac === undefined || extra !== undefined) throw this.rules.invalid();
    const expected = Buffer.from(await this.seal(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw this.rules.invalid();
    const [streamArn, shardId, afterSequence, issuedAt] = decoded(payload) as [string, string, number, number];
    if (nowMs - issuedAt > this.rules.lifetimeMs) throw this.rules.expired(expiredMessage(issuedAt, nowMs, this.rules.lifetimeMs));
    return { streamArn, shardId, afterSequence, issuedAt };
  }
}

/** What holds a cluster's shared secrets (ClusterStore). */
interface SecretHolder {
  sharedSecret(name: string, candidate: () => Promise<string>, now: number): Promise<string>;
}

/** The cluster's iterator key (its shared secret `shard-iterators`) on a shared store; none (a key of this process) on one node. */
export function clusterIteratorKey(cluster: SecretHolder | undefined): IteratorKey | undefined {
  if (!cluster) return undefined;
  return async () => Buffer.from(await cluster.sharedSecret("shard-iterators", () => Promise.resolve(randomBytes(32).toString("base64")), Date.now()), "base64");
}

/** The stream a token names, unverified: only for naming the resource an IAM check asks about (the read itself verifies). */
export function streamNamedBy(token: string): string | undefined {
  try {
    const [streamArn] = decoded(token.split(".")[0] ?? "") as unknown[];
    return typeof streamArn === "string" ? streamArn : undefined;
  } catch {
    return undefined;
  }
}

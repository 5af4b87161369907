/**
 * Resharding: SplitShard, MergeShards and UpdateShardCount close shards and open children over the
 * same hash keys, with AWS's lineage (a split's two children name it as parent; a merge's child names
 * both, the second as adjacent parent). The store closes the parents first (KinesisRecordStore.close:
 * no append to them commits afterwards, and an append routed to them is routed again), which answers
 * the cut in the stream's sequence: parents end there, children begin after it. Closed shards stay
 * listed (and readable) until their records expire; readers follow ChildShards, and Lambda's poller
 * reads a child once its parents are finished, so a partition key's records stay in order.
 *
 * A node that dies between the two writes (parents closed in the store, the stream not yet written)
 * leaves shards the stream shows open that take no appends: at a one-node start they are all reopened
 * (index.ts); on a cluster, where another node may be between its writes, only those closed longer
 * than INTERRUPTED_RESHARD_MS ago, by the append that finds one (reopenInterrupted).
 *
 * UpdateShardCount (UNIFORM_SCALING, at most double or half the open shards) is done as AWS does it:
 * the open shards are split at the new even boundaries and the pieces of each new range merged, so
 * every new shard descends from the old ones through splits and merges; the shards between (split
 * remainders, partial merges) open and close at the same cut, holding nothing.
 */
import { UnkaiError } from "../../core/errors.js";
import type { KinesisShard, KinesisStreamRecord } from "../../core/kinesis.js";
import { invalid, loadStream, type KinesisContext, type StreamNaming } from "./context.js";
import { evenShards, openShards, parseHashKey, shardNamed } from "./shards.js";
import { checkShardLimit } from "./stream-ops.js";


/** A shard planned before the cut is known: its range and parents. */
interface Planned {
  readonly start: bigint;
  readonly end: bigint;
  readonly parent: number;
  readonly adjacentParent?: number;
  /** Opened and closed at the cut (a step on the way, holding nothing): known once the plan is done. */
  passing: boolean;
  readonly index: number;
}

/** Numbers shards as they are planned. */
class Planner {
  readonly planned: Planned[] = [];

  constructor(private next: number) {}

  get nextIndex(): number {
    return this.next;
  }

  add(start: bigint, end: bigint, parent: number, adjacentParent?: number): Planned {
    const shard = { start, end, parent, ...(adjacentParent !== undefined ? { adjacentParent } : {}), passing: false, index: this.next };
    this.next += 1;
    this.planned.push(shard);
    return shard;
  }
}

/**
 * How long after a resharding closed its parents in the store it surely wrote the stream, or gave up:
 * a closure the stream still does not show, older than this, was left by a resharding that died
 * between its two writes. The two writes are a get and a put of one document apart (milliseconds),
 * so a minute is far above them and above the clock skew a cluster's heartbeats already tolerate.
 *
 * Why age alone, not the closing node's heartbeat: a node whose heartbeat lapsed may still be alive
 * (paused, cut off) and between its writes, so its death proves no more than the closure's age does,
 * and the age needs no node registry (the same rule holds on SQLite's one node).
 */
export const INTERRUPTED_RESHARD_MS = 60_000;

/**
 * Reopens those of `shards` (an append found one closed) that an interrupted resharding left closed:
 * the stream, read again now, shows them open, and their closure is older than INTERRUPTED_RESHARD_MS.
 * The age is the store's delete condition, so of two nodes repairing at once one reopens, and a
 * resharding closing the shard afresh meanwhile keeps its closure. Answers which were reopened.
 */
export async function reopenInterrupted(ctx: KinesisContext, arn: string, shards: readonly number[]): Promise<number[]> {
  const stream = await ctx.streams.get(arn);
  if (!stream) return [];
  const open = stream.shards.filter((shard) => shard.closed === undefined && shards.includes(shard.index)).map((shard) => shard.index);
  if (open.length === 0) return [];
  return ctx.records.reopen(arn, open, ctx.now() - INTERRUPTED_RESHARD_MS);
}

const rangeOf = (shard: KinesisShard) => ({ start: BigInt(shard.startingHashKey), end: BigInt(shard.endingHashKey) });

function openShard(ctx: KinesisContext, stream: KinesisStreamRecord, shardId: string): KinesisShard {
  const shard = shardNamed(stream, shardId);
  if (!shard) throw new UnkaiError("ResourceNotFoundException", `Could not find shard ${shardId} in stream ${stream.name} under account ${ctx.account.accountId}.`);
  if (shard.closed) throw invalid(`Shard ${shardId} in stream ${stream.name} under account ${ctx.account.accountId} has already been merged or split, and thus is not eligible for merging or splitting.`);
  return shard;
}

/**
 * Closes `parents` in the store and writes the stream with them closed at the cut and `planner`'s
 * shards added; ResourceInUseException when another resharding closed one of them first.
 */
async function commit(ctx: KinesisContext, stream: KinesisStreamRecord, parents: readonly KinesisShard[], planner: Planner): Promise<void> {
  // Undoing a crash's interrupted reshardings must not reopen the parents this one closes.
  await ctx.repaired();
  const now = ctx.now();
  const indexes = parents.map((shard) => shard.index);
  const inUse = () => new UnkaiError("ResourceInUseException", `Stream ${stream.name} under account ${ctx.account.accountId} not ACTIVE, instead in state UPDATING`);
  const cut = await ctx.records.close(stream.arn, indexes, now);
  if (cut === undefined) throw inUse();
  const closing = new Set(parents.map((shard) => shard.index));
  const closed = { sequence: cut, time: now };
  const added: KinesisShard[] = planner.planned.map((p) => ({
    index: p.index, startingHashKey: p.start.toString(), endingHashKey: p.end.toString(), parent: p.parent, adjacentParent: p.adjacentParent,
    openedAfter: cut, ...(p.passing ? { closed } : {}),
  }));
  // The stream as it is now (a tag or retention change meanwhile is kept), with the new shards.
  const current = (await ctx.streams.get(stream.arn)) ?? stream;
  // Stalled past INTERRUPTED_RESHARD_MS, this resharding may have had its closures reopened as an
  // interrupted one's (reopenInterrupted), and appends may have gone to the parents after the cut:
  // writing the stream now would put children over keys the parents still take. So it gives up.
  // What is left is the moment between this check and the put: a repair in it (possible only when
  // this resharding has already taken over a minute) leaves the parents open in the store though the
  // stream shows them closed, and a node routing with the stream read before the put may still append
  // to a parent past its cut, out of order with the records of its keys in the children.
  if (!(await ctx.records.stillClosed(stream.arn, indexes, now))) throw inUse();
  await ctx.streams.put(stream.arn, {
    ...current,
    shards: [...current.shards.map((shard) => (closing.has(shard.index) ? { ...shard, closed } : shard)), ...added],
    nextShardIndex: planner.nextIndex,
  });
  // Subscriptions to a closed parent send its ChildShards now.
  ctx.signals.wake(stream.arn);
}

export function reshardOperations(ctx: KinesisContext) {
  return {
    async SplitShard(input: StreamNaming & { ShardToSplit: string; NewStartingHashKey: string }) {
      const stream = await loadStream(ctx, input);
      const shard = openShard(ctx, stream, input.ShardToSplit);
      const { start, end } = rangeOf(shard);
      const at = parseHashKey(input.NewStartingHashKey);
      if (at === undefined || at <= start || at > end) {
        throw invalid(`NewStartingHashKey ${input.NewStartingHashKey} used in SplitShard() on shard ${input.ShardToSplit} in stream ${stream.name} under account ${ctx.account.accountId} is not both greater than one plus the shard's StartingHashKey ${start} and less than the shard's EndingHashKey ${end}.`);
      }
      await checkShardLimit(ctx, 1);
      const planner = new Planner(stream.nextShardIndex);
      planner.add(start, at - 1n, shard.index);
      planner.add(at, end, shard.index);
      await commit(ctx, stream, [shard], planner);
      return {};
    },

    async MergeShards(input: StreamNaming & { ShardToMerge: string; AdjacentShardToMerge: string }) {
      const stream = await loadStream(ctx, input);
      const first = openShard(ctx, stream, input.ShardToMerge);
      const second = openShard(ctx, stream, input.AdjacentShardToMerge);
      const [a, b] = [rangeOf(first), rangeOf(second)];
      if (first.index === second.index || (a.end + 1n !== b.start && b.end + 1n !== a.start)) {
        throw invalid(`Shards ${input.ShardToMerge} and ${input.AdjacentShardToMerge} in stream ${stream.name} under account ${ctx.account.accountId} are not an adjacent pair of shards eligible for merging`);
      }
      const planner = new Planner(stream.nextShardIndex);
      planner.add(a.start < b.start ? a.start : b.start, a.end > b.end ? a.end : b.end, first.index, second.index);
      await commit(ctx, stream, [first, second], planner);
      return {};
    },

    async UpdateShardCount(input: StreamNaming & { TargetShardCount: number; ScalingType: string }) {
      const stream = await loadStream(ctx, input);
      const open = openShards(stream).sort((x, y) => (BigInt(x.startingHashKey) < BigInt(y.startingHashKey) ? -1 : 1));
      const target = input.TargetShardCount;
      const current = open.length;
      if (input.ScalingType !== "UNIFORM_SCALING") throw invalid(`ScalingType ${input.ScalingType} is not supported: UNIFORM_SCALING is.`);
      if (target > current * 2 || target * 2 < current) {
        throw invalid(`UpdateShardCount cannot scale up over double your current open shard count (${current}) or scale down below half your current open shard count. Requested: ${target}.`);
      }
      const output = { StreamName: stream.name, StreamARN: stream.arn, CurrentShardCount: current, TargetShardCount: target };
      const ranges = evenShards(target, 0, 0).map(rangeOf);
      if (ranges.every((range, i) => open[i] !== undefined && rangeOf(open[i]).start === range.start && rangeOf(open[i]).end === range.end)) return output;
      await checkShardLimit(ctx, target - current);
      const planner = new Planner(stream.nextShardIndex);
      // Split every open shard at the new boundaries inside it: the pieces, in key order.
      const pieces: { start: bigint; end: bigint; index: number; old: boolean }[] = [];
      const parents: KinesisShard[] = [];
      for (const shard of open) {
        const { start, end } = rangeOf(shard);
        const cuts = ranges.map((range) => range.start).filter((cut) => cut > start && cut <= end);
        if (cuts.length === 0) {
          pieces.push({ start, end, index: shard.index, old: true });
          continue;
        }
        parents.push(shard);
        let rest = { start, end, index: shard.index };
        for (const cut of cuts) {
          const left = planner.add(rest.start, cut - 1n, rest.index);
          const right = planner.add(cut, rest.end, rest.index);
          pieces.push({ start: left.start, end: left.end, index: left.index, old: false });
          rest = { start: right.start, end: right.end, index: right.index };
        }
        pieces.push({ ...rest, old: false });
      }
      // Merge the pieces of each new range, two at a time; what a piece that became a parent was is a step on the way.
      const passing = new Set<number>();
      for (const range of ranges) {
        const inRange = pieces.filter((piece) => piece.start >= range.start && piece.end <= range.end);
        let merged = inRange[0];
        for (const piece of inRange.slice(1)) {
          if (merged === undefined) break;
          for (const part of [merged, piece]) {
            if (part.old) parents.push(open.find((shard) => shard.index === part.index) as KinesisShard);
            else passing.add(part.index);
          }
          const child = planner.add(merged.start, piece.end, merged.index, piece.index);
          merged = { start: child.start, end: child.end, index: child.index, old: false };
        }
      }
      // The split remainders that were split again, and the pieces merged, open and close at the cut.
      const splitAgain = new Set(planner.planned.map((p) => p.parent));
      for (const p of planner.planned) p.passing = passing.has(p.index) || splitAgain.has(p.index);
      await commit(ctx, stream, parents, planner);
      return output;
    },
  };
}

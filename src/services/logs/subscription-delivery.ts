/**
 * Subscription delivery at ingestion: after each committed append (one PutLogEvents call, or one
 * invocation's output — always one stream), each of the group's subscription filters that matches any
 * of the new events sends them, as CloudWatch Logs' `awslogs` event (base64 of gzipped JSON), through
 * platform.destinations to its function, i.e. onto the durable async-invoke queue: from there a crash
 * loses nothing and failures are retried as asynchronous invocations are. The append answers after the
 * delivery is queued.
 *
 * Loops: a function subscribed to its own log group (or two to each other's) would be invoked by its
 * own output forever, doubling with two filters. The deliveries one original append causes through
 * functions' output are counted (DeliveryChains) and stopped at MAX_SUBSCRIPTION_CHAIN, as Lambda's
 * recursive loop detection stops a loop after about 16 invocations; the stop is logged.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { Logger } from "pino";
import { NotRetriedError, type OutboundMessage, type ServiceSource } from "../../async/destinations.js";
import { KINESIS_STREAM_ARN } from "../../core/kinesis.js";
import type { FilterPattern } from "../../core/log-filter/index.js";
import { MAX_SUBSCRIPTION_CHAIN } from "../../core/log-limits.js";
import type { LogGroupSubscriptions, SubscriptionFilterRecord } from "../../core/log-subscription.js";
import type { DocumentStore, LogEvent } from "../../store/ports.js";
import type { AppendListener } from "./ingestion.js";

/**
 * Messages per delivery, in UTF-8 bytes with each event's JSON overhead: under Lambda's 256 KiB
 * asynchronous payload even for incompressible messages once gzipped and base64-encoded.
 */
const MAX_DELIVERY_BYTES = 180 * 1024;
const EVENT_JSON_OVERHEAD_BYTES = 100;
/** Deliveries and chains remembered (DeliveryChains). */
const MAX_TRACKED_CHAINS = 10_000;
const START_LINE = /^START RequestId: ([0-9a-fA-F-]{36}) /;

interface DeliveryEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

/**
 * CloudWatch's event ids are 56-digit decimal strings that sort by time: here the millisecond
 * timestamp, then a random part per batch and the event's place in it.
 */
function eventIds(events: readonly LogEvent[]): DeliveryEvent[] {
  const nonce = BigInt(`0x${randomBytes(16).toString("hex")}`) % 10n ** 37n;
  return events.map((event, i) => {
    const timestamp = Math.floor(event.timestamp);
    const id = (BigInt(timestamp) * 10n ** 43n + nonce * 10n ** 6n + BigInt(i)).toString().padStart(56, "0");
    return { id, timestamp, message: event.message };
  });
}

/** Splits matched events into batches small enough for one asynchronous invocation each. */
function batches(events: readonly DeliveryEvent[]): DeliveryEvent[][] {
  const out: DeliveryEvent[][] = [];
  let current: DeliveryEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.message) + EVENT_JSON_OVERHEAD_BYTES;
    if (current.length > 0 && bytes + size > MAX_DELIVERY_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** One batch as CloudWatch Logs sends it: the gzipped JSON of the events with their group, stream and filter. */
function gzippedBatch(owner: string, filter: SubscriptionFilterRecord, stream: string, logEvents: readonly DeliveryEvent[]): Buffer {
  const data = {
    messageType: "DATA_MESSAGE", owner, logGroup: filter.logGroupName, logStream: stream, subscriptionFilters: [filter.filterName], logEvents,
  };
  return gzipSync(JSON.stringify(data));
}

/** The `awslogs` event AWS invokes a subscribed function with. */
export function awslogsEvent(owner: string, filter: SubscriptionFilterRecord, stream: string, logEvents: readonly DeliveryEvent[]): string {
  return JSON.stringify({ awslogs: { data: gzippedBatch(owner, filter, stream, logEvents).toString("base64") } });
}

/**
 * What a filter's destination receives for one batch: a function its `awslogs` event; a Kinesis stream
 * one record of the gzipped batch itself (as AWS writes it), keyed by the log stream (or at random with
 * `distribution: Random`), put as the filter's role.
 */
function deliveryOf(owner: string, filter: SubscriptionFilterRecord, stream: string, batch: readonly DeliveryEvent[], id: string, source: ServiceSource): OutboundMessage {
  if (!KINESIS_STREAM_ARN.test(filter.destinationArn)) return { body: awslogsEvent(owner, filter, stream, batch), id, source };
  return {
    body: "", binaryBody: gzippedBatch(owner, filter, stream, batch).toString("base64"), id,
    groupId: filter.distribution === "Random" ? randomUUID() : stream, source: { ...source, ...(filter.roleArn !== undefined ? { roleArn: filter.roleArn } : {}) },
  };
}

export interface DeliveryDeps {
  readonly subscriptions: DocumentStore<LogGroupSubscriptions>;
  readonly send: (arn: string, message: OutboundMessage) => Promise<void>;
  /** The account id, the payload's `owner`. */
  readonly owner: string;
  readonly patternOf: (text: string) => FilterPattern;
  /**
   * Logs as the sender and the log group as `aws:SourceArn`: under --iam enforce each delivery needs the
   * function's policy to allow it, so a permission removed after PutSubscriptionFilter stops deliveries.
   */
  readonly sourceOf: (logGroupName: string) => ServiceSource;
  readonly logger: Logger;
}

/**
 * Which deliveries each original append has caused through functions' own output. A delivery's id is
 * its invocation's request id, and that invocation's output starts with `START RequestId: <id>`, so the
 * output of a delivered-to function is traced back to the append that began the chain.
 */
class DeliveryChains {
  /** Delivery id → the chain it belongs to. */
  private readonly chainOf = new Map<string, string>();
  /** Chain → deliveries made in it. */
  private readonly counts = new Map<string, number>();

  /** The chain these events continue, or undefined when they are not a delivered-to invocation's output. */
  find(events: readonly LogEvent[]): string | undefined {
    for (const event of events) {
      const requestId = START_LINE.exec(event.message)?.[1];
      if (requestId !== undefined) return this.chainOf.get(requestId);
    }
    return undefined;
  }

  /** Whether the chain has had its share of deliveries. */
  exhausted(chain: string): boolean {
    return (this.counts.get(chain) ?? 0) >= MAX_SUBSCRIPTION_CHAIN;
  }

  record(chain: string, deliveryId: string): void {
    bounded(this.chainOf).set(deliveryId, chain);
    bounded(this.counts).set(chain, (this.counts.get(chain) ?? 0) + 1);
  }
}

/** Forgets the oldest entry of a full map: forgetting a chain only lets a loop run a little longer. */
function bounded<K, V>(map: Map<K, V>): Map<K, V> {
  if (map.size >= MAX_TRACKED_CHAINS) map.delete(map.keys().next().value as K);
  return map;
}

export function subscriptionDelivery({ subscriptions, send, owner, patternOf, sourceOf, logger }: DeliveryDeps): AppendListener {
  const chains = new DeliveryChains();
  return async (group, stream, events) => {
    const filters = (await subscriptions.get(group))?.filters ?? [];
    if (filters.length === 0) return;
    const continued = chains.find(events);
    const chain = continued ?? randomUUID();
    for (const filter of filters) {
      const pattern = patternOf(filter.filterPattern);
      const matched = events.filter((event) => pattern.match(event.message));
      if (matched.length === 0) continue;
      for (const batch of batches(eventIds(matched))) {
        // Only output of a delivered-to function counts against the chain: an original append always delivers.
        if (continued !== undefined && chains.exhausted(chain)) {
          logger.warn({ logGroup: group, filter: filter.filterName, destination: filter.destinationArn, deliveries: MAX_SUBSCRIPTION_CHAIN },
            "subscription delivery stopped: these events are the output of a function that subscription deliveries keep invoking (a loop)");
          return;
        }
        const id = randomUUID();
        chains.record(chain, id);
        try {
          await send(filter.destinationArn, deliveryOf(owner, filter, stream, batch, id, sourceOf(group)));
        } catch (error) {
          if (!(error instanceof NotRetriedError)) throw error;
          // The function's policy no longer lets Logs invoke it: these events are not delivered (the other filters still are).
          logger.warn({ logGroup: group, filter: filter.filterName, destination: filter.destinationArn, reason: error.message }, "subscription delivery refused");
          break;
        }
      }
    }
  };
}

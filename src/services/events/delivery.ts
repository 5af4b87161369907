/**
 * Puts events on a bus: every enabled rule of the bus whose pattern matches (or the scheduled rule
 * that fired) sends the event to each of its targets, shaped by the target's input settings. Lambda
 * targets are invoked asynchronously through the durable queue (as EventBridge invokes them, with
 * InvocationType Event); the queued event's id
 * is derived from the event and target, so a redelivered firing is one queued event. Every other target (SQS queues, SNS topics, …) gets a plain message
 * through the destinations seam (an API destination gets an HTTP request, api-destination-target.ts), sent before PutEvents answers: the seam's send is durable once it
 * resolves, so an accepted event survives a restart. A failed send is kept in the retry outbox
 * (outbox.ts), which retries it per the target's RetryPolicy and then dead-letters it. Under IAM
 * enforcement every target, another bus included, takes the event only where its own policy allows
 * events.amazonaws.com for the rule (`Destinations.permission`); a refusal is dead-lettered (NO_PERMISSIONS).
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Destinations } from "../../async/destinations.js";
import { EVENTBRIDGE, EventPattern, type JsonValue } from "../../core/event-pattern/index.js";
import type { BusEvent } from "../../core/events/envelope.js";
import { targetInput } from "../../core/events/input.js";
import { parseJsonPath, readJsonPath } from "../../core/events/json-path.js";
import { KINESIS_STREAM_ARN } from "../../core/kinesis.js";
import type { PendingDelivery, RuleRecord, TargetRecord } from "../../core/events/resources.js";
import { functionOfArn } from "../../sources/s3-notifications.js";
import type { DocumentStore } from "../../store/ports.js";
import { DEFAULT_RETRY, type DeliveryOutbox } from "../../async/delivery-outbox.js";
import { HTTP_PARAMETERS_ATTRIBUTE } from "./api-destination-target.js";
import { apiDestinationOfArn } from "./api-destinations.js";

/**
 * How many buses an event may pass through by event-bus targets: a rule that sends its bus's events
 * back to the bus would otherwise loop forever.
 */
const MAX_BUS_HOPS = 5;

/** The bus an `arn:aws:events:…:event-bus/<name>` target names. */
export function busOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/([/.\-_A-Za-z0-9]+)$/.exec(arn)?.[1];
}

/** A UUID-shaped id that is the same for the same text (a firing's targets keep their ids across redeliveries). */
export function stableId(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class EventDelivery {
  /** Compiled patterns by rule ARN, recompiled when the rule's pattern text changes. */
  private readonly patterns = new Map<string, { text: string; pattern: EventPattern }>();

  constructor(
    private readonly rules: DocumentStore<RuleRecord>,
    private readonly destinations: Destinations,
    private readonly outbox: DeliveryOutbox,
    private readonly logger: Logger,
    /** Keeps the event in the bus's matching archives (archiving.ts); resolves once stored. */
    private readonly archive: (bus: string, event: BusEvent) => Promise<void> = async () => {},
  ) {}

  private matches(rule: RuleRecord, event: BusEvent): boolean {
    if (rule.EventPattern === undefined) return false;
    let cached = this.patterns.get(rule.Arn);
    if (cached?.text !== rule.EventPattern) {
      cached = { text: rule.EventPattern, pattern: EventPattern.compile(rule.EventPattern, EVENTBRIDGE) };
      this.patterns.set(rule.Arn, cached);
    }
    return cached.pattern.matches(event as unknown as JsonValue);
  }

  /**
   * Routes one event put on `bus` to the targets of the rules that match it, and keeps it in the bus's
   * archives; resolves once both are durable. A replayed event (it carries `replay-name`) goes only to
   * `onlyRules` when given (the replay's FilterArns), and under its own delivery ids, so a function or
   * FIFO queue that had the event once takes it again.
   */
  async publish(bus: string, event: BusEvent, hops = 0, onlyRules?: ReadonlySet<string>): Promise<number> {
    const rules = (await this.rules.list()).filter((r) => r.EventBusName === bus && r.State !== "DISABLED" && (onlyRules === undefined || onlyRules.has(r.Arn)) && this.matches(r, event));
    const replay = event["replay-name"];
    const key = replay === undefined ? `${event.id}@${bus}` : `${event.id}@${bus}/replay/${replay}`;
    await Promise.all([this.archive(bus, event), ...rules.map((rule) => this.toTargets(rule, event, key, hops))]);
    return rules.length;
  }

  /** Sends an event to every target of one rule (a scheduled rule's firing). */
  async toTargets(rule: RuleRecord, event: BusEvent, deliveryKey: string, hops = 0): Promise<void> {
    await Promise.all(rule.Targets.map((target) => this.toTarget(rule, target, event, deliveryKey, hops)));
  }

  private async toTarget(rule: RuleRecord, target: TargetRecord, event: BusEvent, deliveryKey: string, hops: number): Promise<void> {
    const deliveryId = stableId(`${deliveryKey}/${rule.Arn}/${target.Id}`);
    // EventBridge delivers as events.amazonaws.com for this rule: under enforcement the target's policy must allow it.
    const source = { principal: "events.amazonaws.com", arn: rule.Arn };
    const bus = busOfArn(target.Arn);
    if (bus !== undefined) {
      // Another bus receives the event itself (input settings do not apply to bus targets).
      if (hops + 1 >= MAX_BUS_HOPS) {
        this.logger.warn({ rule: rule.Arn, target: target.Arn }, "EventBridge: an event passed through too many buses; dropped (a rule loop?)");
        return;
      }
      // events:PutEvents on the receiving bus (the seam's one check): as the target's RoleArn when it names one (AWS's
      // documented way, the role's policies decide), else the bus's policy for events.amazonaws.com. Refused: dead-lettered.
      const asBusSender = target.RoleArn === undefined ? source : { ...source, roleArn: target.RoleArn };
      const permission = await this.destinations.permission(target.Arn, asBusSender);
      if (!permission.allowed) {
        await this.failed(rule, target, { body: JSON.stringify(event), source: asBusSender }, Date.parse(event.time), deliveryId, permission.error);
        return;
      }
      await this.publish(bus, event, hops + 1);
      return;
    }
    const payload = targetInput(target, event as unknown as JsonValue, { ruleArn: rule.Arn, ruleName: rule.Name, ingestionTime: event.time });
    // A function gets the event under the queued invocation's id; a queue or topic with its FIFO ids.
    const message = functionOfArn(target.Arn)
      ? { body: payload, id: deliveryId, source }
      : kinesisStreamTarget(target)
        // A stream takes the record as the target's role (its RoleArn, required by PutTargets) may put it.
        ? { body: payload, groupId: partitionKeyOf(target, event), deduplicationId: deliveryId, source: { ...source, roleArn: target.RoleArn } }
        : { body: payload, ...messageIds(target, deliveryId), ...httpParameters(target), source };
    await this.toMessageTarget(rule, target, message, Date.parse(event.time), deliveryId);
  }

  /** Sends to a queue, topic or any ARN the seam takes; a failure goes to the retry outbox. */
  private async toMessageTarget(rule: RuleRecord, target: TargetRecord, message: PendingDelivery["message"], eventTimeMs: number, deliveryId: string): Promise<void> {
    try {
      await this.destinations.send(target.Arn, message);
    } catch (error) {
      await this.failed(rule, target, message, eventTimeMs, deliveryId, error);
    }
  }

  /** A failed delivery: the retry outbox retries it per the target's RetryPolicy, or dead-letters it at once (not retried). */
  private async failed(rule: RuleRecord, target: TargetRecord, message: PendingDelivery["message"], eventTimeMs: number, deliveryId: string, error: unknown): Promise<void> {
    const lastError = error instanceof Error ? error.message : String(error);
    this.logger.warn({ rule: rule.Arn, target: target.Arn, error: lastError }, "EventBridge: delivering to a target failed; the retry outbox takes it");
    await this.outbox.failed({
      id: deliveryId, ruleArn: rule.Arn, targetArn: target.Arn, message,
      eventTimeMs: Number.isFinite(eventTimeMs) ? eventTimeMs : Date.now(),
      maximumRetryAttempts: target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY.maximumRetryAttempts,
      maximumEventAgeSeconds: target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_RETRY.maximumEventAgeSeconds,
      ...(target.DeadLetterConfig?.Arn !== undefined ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
    }, error);
  }
}

const kinesisStreamTarget = (target: TargetRecord) => KINESIS_STREAM_ARN.test(target.Arn);

/** A Kinesis target's partition key: what KinesisParameters.PartitionKeyPath reads from the event, else the event's id (as AWS). */
function partitionKeyOf(target: TargetRecord, event: BusEvent): string {
  const steps = target.KinesisParameters?.PartitionKeyPath === undefined ? undefined : parseJsonPath(target.KinesisParameters.PartitionKeyPath);
  const value = steps === undefined ? undefined : readJsonPath(event as unknown as JsonValue, steps);
  if (value === undefined || value === null) return event.id;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** An API destination target's HttpParameters, carried with the message (and kept by the retry outbox). */
function httpParameters(target: TargetRecord): { attributes?: Record<string, string> } {
  if (apiDestinationOfArn(target.Arn) === undefined || target.HttpParameters === undefined) return {};
  return { attributes: { [HTTP_PARAMETERS_ATTRIBUTE]: JSON.stringify(target.HttpParameters) } };
}

/**
 * A FIFO queue's (or topic's) group is the target's SqsParameters.MessageGroupId; the deduplication
 * id is the delivery's, so a retried or redelivered firing is one message.
 */
function messageIds(target: TargetRecord, deliveryId: string): { groupId?: string; deduplicationId: string } {
  const groupId = target.SqsParameters?.MessageGroupId;
  return { ...(groupId !== undefined ? { groupId } : {}), deduplicationId: deliveryId };
}

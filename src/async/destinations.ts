/**
 * Where asynchronous results and messages go: one small target per kind of ARN. Lambda functions are
 * built in; a service adds its own (SQS queues, SNS topics, event buses) when its module is created.
 * Two things travel through it: Lambda's invocation records (`deliver`, `deliverDeadLetter`) and plain
 * messages from one service to another (`send`: an EventBridge target, an alarm action, an S3 event
 * notification, an SNS subscription's delivery), so no service names another. Whether a service may
 * deliver at all is decided here too, once for every kind of target (`permission`).
 */
import { invalidParameter } from "../core/errors.js";
import type { DestinationRecord } from "./invocation-record.js";
import type { AsyncQueue } from "./queue.js";
import { randomUUID } from "node:crypto";

export interface DestinationTarget {
  readonly kind: string;
  accepts(arn: string): boolean;
  /** Delivers durably; throws with a sentence when it cannot. */
  deliver(arn: string, record: DestinationRecord): Promise<void>;
  /**
   * A function's dead-letter delivery (DeadLetterConfig): the failed event itself, with Lambda's
   * `RequestID`, `ErrorCode` and `ErrorMessage` attributes. Only queue and topic targets have it.
   */
  deliverDeadLetter?(arn: string, event: Buffer, attributes: DeadLetterAttributes): Promise<void>;
  /** A plain message from another service; durable once it resolves, throws with a sentence otherwise. */
  send?(arn: string, message: OutboundMessage): Promise<void>;
  /**
   * Several messages, kept in their order and durable together once it resolves (a Kinesis stream appends
   * them as one PutRecords would); a kind without it gets them one `send` at a time.
   */
  sendBatch?(arn: string, messages: readonly OutboundMessage[]): Promise<void>;
  /**
   * The action a service's message (one with a `source`) needs from the target's own policy (a
   * function's `lambda:InvokeFunction`, a queue's `sqs:SendMessage`, a topic's `sns:Publish`, a bus's
   * `events:PutEvents`), checked once for every kind by `Destinations.permission` under enforcement.
   */
  readonly serviceAction?: string;
  /** Whether the ARN names something that exists; asked before the policy, so a missing target stays missing, not refused. */
  exists?(arn: string): Promise<boolean>;
  /** The sentence a refusal starts with (Lambda's "Not authorized to invoke function [arn]"); `Not authorized to send to <arn>` otherwise. */
  refusal?(arn: string): string;
  /** Only services' messages go to it (a Kinesis stream is an EventBridge target, never a Lambda destination). */
  readonly messagesOnly?: boolean;
}

/** A message attribute with its SQS/SNS data type; base64 keeps a binary value JSON-safe for the outboxes. */
export interface TypedAttribute {
  readonly dataType: string;
  readonly stringValue?: string;
  readonly binaryValue?: string;
}

/** One message for `send`: what a queue, topic, bus or function receives from another service. */
export interface OutboundMessage {
  readonly body: string;
  /** String-valued message attributes (SQS/SNS `MessageAttributes` with DataType String). */
  readonly attributes?: Readonly<Record<string, string>>;
  /**
   * Attributes that keep their data type (`Number`, `Binary` with its value in base64, custom suffixes
   * such as `String.Array`): SNS's raw delivery to a queue. A queue takes these in place of `attributes`.
   */
  readonly typedAttributes?: Readonly<Record<string, TypedAttribute>>;
  /**
   * The payload as bytes (base64, so the retry outboxes keep it as JSON), for a target that stores bytes:
   * a Kinesis record takes this instead of `body` (Logs' gzipped batch). Other targets read `body`.
   */
  readonly binaryBody?: string;
  /** SNS `Subject` (an alarm's name, an S3 notification's title); ignored by queues and functions. */
  readonly subject?: string;
  /** FIFO queues and topics: the message group and deduplication id. */
  readonly groupId?: string;
  readonly deduplicationId?: string;
  /**
   * For a function: the queued event's id, which becomes the invocation's request id. A sender that
   * must recognise what its message caused (subscription delivery breaking loops) chooses it.
   */
  readonly id?: string;
  /**
   * The AWS service sending it and the resource it sends for (S3's bucket, SNS's topic, EventBridge's
   * rule, an alarm): under enforcement the target takes it only if its own policy allows that service
   * principal with this `aws:SourceArn` (`permission`), as AWS checks. A platform's own delivery (Lambda
   * destinations, dead letters) has none.
   */
  readonly source?: ServiceSource;
}

export interface ServiceSource {
  /** The service principal, e.g. `s3.amazonaws.com`. */
  readonly principal: string;
  /** Other names the policy may give the same service (Logs' regional `logs.<region>.amazonaws.com`): any of them allows. */
  readonly otherPrincipals?: readonly string[];
  readonly arn: string;
  /**
   * The account that owns the source, when the service also names it as `AWS:SourceOwner` (CloudWatch
   * alarms do): SNS's default topic policy allows the owner's services by that key.
   */
  readonly owner?: string;
  /**
   * The role the customer gave the service to act as (an EventBridge event-bus target's `RoleArn`): the
   * role must trust the service and be allowed the target's action, instead of the service principal.
   */
  readonly roleArn?: string;
}

/** Whether a service may `action` on a resource for its source, by the resource's own policy (IamEnforcer.serviceMay). */
export type ServiceMayDeliver = (source: ServiceSource, action: string, resource: string) => Promise<boolean>;

/** What `Destinations.permission` found: the target is gone, its policy refuses the service, or the message may go. */
export type DeliveryPermission = { readonly allowed: true } | { readonly allowed: false; readonly error: MissingTargetError | NotRetriedError };

/** AWS's sentence when a function's policy does not let a service invoke it (S3 uses it at configuration time too). */
export const notAuthorizedToInvoke = (functionArn: string) => `${NOT_AUTHORIZED_TO_INVOKE} [${functionArn}]`;
export const NOT_AUTHORIZED_TO_INVOKE = "Not authorized to invoke function";
/** The same refusal by a queue's or topic's policy. */
export const NOT_AUTHORIZED_TO_SEND = "Not authorized to send to";

/**
 * A failure a retry cannot fix (an API destination's 400, a target refusing the call as malformed):
 * a target throws it so a retrying sender gives up at once and dead-letters the message, as
 * EventBridge does for errors other than throttling, timeouts and 5xx.
 */
export class NotRetriedError extends Error {
  override readonly name: string = "NotRetriedError";
}

/**
 * The ARN names nothing that exists (a deleted queue, function, topic or bus). A retry may succeed
 * once it is created, so whether to retry is the sender's choice: EventBridge rules dead-letter at
 * once (NO_RESOURCE), as AWS documents.
 */
export class MissingTargetError extends Error {
  override readonly name: string = "MissingTargetError";
}

export interface DeadLetterAttributes {
  readonly RequestID: string;
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

const FUNCTION_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** Another function, invoked asynchronously with the record as its event (a service's message: its body). */
export function lambdaTarget(queue: AsyncQueue, exists: (name: string) => Promise<boolean>): DestinationTarget {
  const nameOf = (arn: string) => FUNCTION_ARN.exec(arn)?.[1] ?? "";
  /** Queues `payload` as an asynchronous invocation of the function (and qualifier) the ARN names. */
  const invoke = async (arn: string, payload: string, id: string = randomUUID()) => {
    const [, name = "", qualifier = "$LATEST"] = FUNCTION_ARN.exec(arn) ?? [];
    if (!(await exists(name))) throw new MissingTargetError(`destination function ${name} does not exist`);
    await queue.enqueue({ id, functionName: name, qualifier, payload: Buffer.from(payload) });
  };
  return {
    kind: "lambda",
    accepts: (arn) => FUNCTION_ARN.test(arn),
    serviceAction: "lambda:InvokeFunction",
    exists: (arn) => exists(nameOf(arn)),
    refusal: notAuthorizedToInvoke,
    deliver: (arn, record) => invoke(arn, JSON.stringify(record)),
    /** The message body is the event, invoked asynchronously (as SNS, EventBridge and S3 invoke functions). */
    send: (arn, message) => invoke(arn, message.body, message.id),
  };
}

export class Destinations {
  private readonly targets: DestinationTarget[];

  /** `mayDeliver`: under IAM enforcement, whether a target's own policy lets a service's message in. */
  constructor(targets: readonly DestinationTarget[], private readonly mayDeliver?: ServiceMayDeliver) {
    this.targets = [...targets];
  }

  /** A service's own target (SQS adds queues when its module is created). */
  add(target: DestinationTarget): void {
    this.targets.push(target);
  }

  /** Refuses, at configuration time, an ARN no target can deliver to. */
  check(field: string, arn: string): void {
    if (!this.targets.some((target) => target.accepts(arn) && target.messagesOnly !== true)) {
      throw invalidParameter(
        `${field} '${arn}' is not a destination this Unkai can deliver to yet: use a Lambda function, SQS queue or SNS topic ARN.`,
      );
    }
  }

  canDeliver(arn: string): boolean {
    return this.targets.some((target) => target.accepts(arn));
  }

  /** Whether a dead-letter target (DeadLetterConfig) can be delivered to. */
  canDeliverDeadLetter(arn: string): boolean {
    return this.targets.some((target) => target.accepts(arn) && target.deliverDeadLetter !== undefined);
  }

  async deliverDeadLetter(arn: string, event: Buffer, attributes: DeadLetterAttributes): Promise<void> {
    const target = this.targets.find((t) => t.accepts(arn) && t.deliverDeadLetter !== undefined);
    if (!target?.deliverDeadLetter) throw new Error(`no dead-letter target for ${arn}`);
    await target.deliverDeadLetter(arn, event, attributes);
  }

  /** Whether `send` can reach this ARN (a target of its kind exists and takes plain messages). */
  canSend(arn: string): boolean {
    return this.targets.some((target) => target.accepts(arn) && target.send !== undefined);
  }

  /**
   * Whether `source`'s service may deliver to `arn`, the one check for every kind of target: does it
   * exist, then does its policy allow the service (its `serviceAction`) for that source? Always allowed
   * without enforcement, for a target that declares no action, and for a platform's own deliveries.
   * S3 and CloudWatch Logs ask it when a configuration names a function; `send` asks it for each message.
   */
  async permission(arn: string, source: ServiceSource | undefined): Promise<DeliveryPermission> {
    const target = this.targets.find((t) => t.accepts(arn) && t.send !== undefined);
    const action = target?.serviceAction;
    if (!source || !target || action === undefined || !this.mayDeliver) return { allowed: true };
    if (target.exists && !(await target.exists(arn))) return { allowed: false, error: new MissingTargetError(`destination ${arn} does not exist`) };
    if (await this.mayDeliver(source, action, arn)) return { allowed: true };
    const refused = target.refusal?.(arn) ?? `${NOT_AUTHORIZED_TO_SEND} ${arn}`;
    const who = source.roleArn === undefined ? source.principal : `${source.principal} acting as ${source.roleArn}`;
    return { allowed: false, error: new NotRetriedError(`${refused}: its policy does not allow ${who} to ${action} for ${source.arn}`) };
  }

  /** Whether the ARN names something that exists (true for a kind that cannot tell). */
  async exists(arn: string): Promise<boolean> {
    const target = this.targets.find((t) => t.accepts(arn) && t.send !== undefined);
    return target !== undefined && (target.exists === undefined || (await target.exists(arn)));
  }

  /** Sends a plain message to a queue, topic, bus or function ARN; throws with a sentence when it cannot. */
  async send(arn: string, message: OutboundMessage): Promise<void> {
    const target = this.targets.find((t) => t.accepts(arn) && t.send !== undefined);
    if (!target?.send) throw new Error(`nothing here delivers messages to ${arn}`);
    const permission = await this.permission(arn, message.source);
    if (!permission.allowed) throw permission.error;
    await target.send(arn, message);
  }

  /** Sends messages in order, in one write where the target's kind has one (`sendBatch`), else one by one; throws as `send`. */
  async sendBatch(arn: string, messages: readonly OutboundMessage[]): Promise<void> {
    const target = this.targets.find((t) => t.accepts(arn) && t.send !== undefined);
    if (!target?.send) throw new Error(`nothing here delivers messages to ${arn}`);
    for (const source of new Set(messages.map((message) => message.source))) {
      const permission = await this.permission(arn, source);
      if (!permission.allowed) throw permission.error;
    }
    if (target.sendBatch) return target.sendBatch(arn, messages);
    for (const message of messages) await target.send(arn, message);
  }

  async deliver(arn: string, record: DestinationRecord): Promise<void> {
    const target = this.targets.find((t) => t.accepts(arn));
    if (!target) throw new Error(`no delivery target for ${arn}`);
    await target.deliver(arn, record);
  }
}

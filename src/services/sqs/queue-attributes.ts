/**
 * Queue attributes as CreateQueue and SetQueueAttributes take them: which names exist, which a
 * caller may set, their ranges, the defaults a new queue gets, and the typed settings the rest of
 * the service reads. Limits are SQS's current ones (MaximumMessageSize up to and by default 1 MiB).
 */
import { UnkaiError } from "../../core/errors.js";
import { ownValue } from "../../core/own-keys.js";

export const MAX_MESSAGE_BYTES = 1_048_576;
export const DEDUP_WINDOW_MS = 5 * 60_000;

/** Attributes computed when asked for, never set. */
export const READ_ONLY = new Set([
  "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
]);

const FIFO_ONLY = new Set(["ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"]);

type Check = (value: string) => boolean;
const integer = (min: number, max: number): Check => (value) => /^-?\d+$/.test(value) && Number(value) >= min && Number(value) <= max;
const oneOf = (...values: string[]): Check => (value) => values.includes(value);
const bool = oneOf("true", "false");
const anything: Check = () => true;

/** Every settable attribute and what its value may be (RedrivePolicy and the policies get their own checks). */
const SETTABLE: Readonly<Record<string, Check>> = {
  DelaySeconds: integer(0, 900),
  MaximumMessageSize: integer(1024, MAX_MESSAGE_BYTES),
  MessageRetentionPeriod: integer(60, 1_209_600),
  ReceiveMessageWaitTimeSeconds: integer(0, 20),
  VisibilityTimeout: integer(0, 43_200),
  Policy: anything,
  RedrivePolicy: anything,
  RedriveAllowPolicy: anything,
  KmsMasterKeyId: anything,
  KmsDataKeyReusePeriodSeconds: integer(60, 86_400),
  SqsManagedSseEnabled: bool,
  FifoQueue: bool,
  ContentBasedDeduplication: bool,
  DeduplicationScope: oneOf("messageGroup", "queue"),
  FifoThroughputLimit: oneOf("perQueue", "perMessageGroupId"),
};

export const STANDARD_DEFAULTS: Readonly<Record<string, string>> = {
  DelaySeconds: "0",
  MaximumMessageSize: String(MAX_MESSAGE_BYTES),
  MessageRetentionPeriod: "345600",
  ReceiveMessageWaitTimeSeconds: "0",
  VisibilityTimeout: "30",
  SqsManagedSseEnabled: "true",
};

export const FIFO_DEFAULTS: Readonly<Record<string, string>> = {
  ...STANDARD_DEFAULTS,
  FifoQueue: "true",
  ContentBasedDeduplication: "false",
  DeduplicationScope: "queue",
  FifoThroughputLimit: "perQueue",
};

/** Every attribute name GetQueueAttributes knows (besides `All`). */
export const KNOWN = new Set([...Object.keys(SETTABLE), ...READ_ONLY]);

const invalidValue = (name: string, reason?: string) =>
  new UnkaiError("InvalidAttributeValue", `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ""}`);

/**
 * Checks attributes a caller sets: every name known and settable on this kind of queue, every value
 * in range, JSON policies parseable. `creating`: FifoQueue may be given (it can never change).
 */
export function checkSettable(attributes: Readonly<Record<string, string>>, fifo: boolean, creating: boolean): void {
  for (const [name, value] of Object.entries(attributes)) {
    const check = ownValue(SETTABLE, name);
    if (!check || (FIFO_ONLY.has(name) && !fifo) || (name === "FifoQueue" && !creating)) {
      throw new UnkaiError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
    if (!check(value)) throw invalidValue(name);
    if ((name === "Policy" || name === "RedriveAllowPolicy") && value !== "") parseJson(name, value);
  }
  if (attributes.RedriveAllowPolicy) checkRedriveAllowPolicy(attributes.RedriveAllowPolicy);
}

function parseJson(name: string, value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw invalidValue(name, "The value is not valid JSON.");
  }
}

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** Parses a RedrivePolicy value (JSON with `deadLetterTargetArn` and `maxReceiveCount` 1–1000); "" removes the policy. */
export function parseRedrivePolicy(value: string | undefined): RedrivePolicy | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = parseJson("RedrivePolicy", value);
  const policy = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const arn = policy.deadLetterTargetArn;
  const count = typeof policy.maxReceiveCount === "string" ? Number(policy.maxReceiveCount) : policy.maxReceiveCount;
  if (typeof arn !== "string" || arn === "") throw invalidValue("RedrivePolicy", "Redrive policy must contain deadLetterTargetArn.");
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalidValue("RedrivePolicy", "Value of maxReceiveCount must be an integer from 1 to 1000.");
  }
  const unknown = Object.keys(policy).find((key) => key !== "deadLetterTargetArn" && key !== "maxReceiveCount");
  if (unknown) throw invalidValue("RedrivePolicy", `Only deadLetterTargetArn and maxReceiveCount are allowed, not ${unknown}.`);
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

export interface RedriveAllowPolicy {
  readonly redrivePermission: "allowAll" | "denyAll" | "byQueue";
  readonly sourceQueueArns: readonly string[];
}

export function checkRedriveAllowPolicy(value: string): RedriveAllowPolicy {
  const parsed = parseJson("RedriveAllowPolicy", value);
  const policy = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const permission = policy.redrivePermission;
  if (permission !== "allowAll" && permission !== "denyAll" && permission !== "byQueue") {
    throw invalidValue("RedriveAllowPolicy", "redrivePermission must be allowAll, denyAll or byQueue.");
  }
  const arns = policy.sourceQueueArns ?? [];
  if (!Array.isArray(arns) || !arns.every((arn) => typeof arn === "string")) throw invalidValue("RedriveAllowPolicy", "sourceQueueArns must be a list of queue ARNs.");
  if (permission === "byQueue" && (arns.length === 0 || arns.length > 10)) {
    throw invalidValue("RedriveAllowPolicy", "byQueue needs between 1 and 10 sourceQueueArns.");
  }
  if (permission !== "byQueue" && arns.length > 0) throw invalidValue("RedriveAllowPolicy", "sourceQueueArns are allowed only with byQueue.");
  return { redrivePermission: permission, sourceQueueArns: arns };
}

/** Whether a DLQ whose RedriveAllowPolicy is `value` accepts `sourceArn` as a source. */
export function allowsSource(value: string | undefined, sourceArn: string): boolean {
  if (!value) return true;
  const policy = checkRedriveAllowPolicy(value);
  if (policy.redrivePermission === "allowAll") return true;
  if (policy.redrivePermission === "denyAll") return false;
  return policy.sourceQueueArns.includes(sourceArn);
}

/** The numbers the service reads from a queue's attributes. */
export interface QueueSettings {
  readonly delaySeconds: number;
  readonly maximumMessageSize: number;
  readonly retentionSeconds: number;
  readonly waitSeconds: number;
  readonly visibilitySeconds: number;
  readonly contentBasedDeduplication: boolean;
  readonly dedupPerGroup: boolean;
  readonly redrive: RedrivePolicy | undefined;
}

export function settingsOf(attributes: Readonly<Record<string, string>>): QueueSettings {
  const number = (name: string) => Number(attributes[name] ?? STANDARD_DEFAULTS[name] ?? 0);
  return {
    delaySeconds: number("DelaySeconds"),
    maximumMessageSize: number("MaximumMessageSize"),
    retentionSeconds: number("MessageRetentionPeriod"),
    waitSeconds: number("ReceiveMessageWaitTimeSeconds"),
    visibilitySeconds: number("VisibilityTimeout"),
    contentBasedDeduplication: attributes.ContentBasedDeduplication === "true",
    dedupPerGroup: attributes.DeduplicationScope === "messageGroup",
    redrive: parseRedrivePolicy(attributes.RedrivePolicy),
  };
}

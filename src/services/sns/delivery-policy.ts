/**
 * An http/https delivery policy's healthy retry policy as a list of delays, one per retry, in SNS's
 * four phases: `numNoDelayRetries` at once, `numMinDelayRetries` `minDelayTarget` apart, the backoff
 * phase from `minDelayTarget` to `maxDelayTarget`, then `numMaxDelayRetries` `maxDelayTarget` apart;
 * `numRetries` counts them all. SNS publishes the backoff functions only as a graph: here `linear` and
 * `arithmetic` step evenly from the minimum to the maximum, `geometric` and `exponential` by a constant
 * ratio. SNS's jitter is left out. Defaults are SNS's for http: 3 retries, 20 s apart. The request
 * policy's `headerContentType` sets the POST's Content-Type; the throttle policy's `maxReceivesPerSecond`
 * spaces a subscription's notifications.
 */

/** The healthy retry policy's members SNS reads (the subscription's policy, or a topic's `http.defaultHealthyRetryPolicy`). */
interface HealthyRetryPolicy {
  readonly numRetries?: unknown;
  readonly numNoDelayRetries?: unknown;
  readonly numMinDelayRetries?: unknown;
  readonly numMaxDelayRetries?: unknown;
  readonly minDelayTarget?: unknown;
  readonly maxDelayTarget?: unknown;
  readonly backoffFunction?: unknown;
}

const DEFAULT_RETRIES = 3;
const DEFAULT_DELAY_SECONDS = 20;
const MAX_RETRIES = 100;
const MAX_DELAY_SECONDS = 3_600;
const BACKOFF_FUNCTIONS = ["linear", "arithmetic", "geometric", "exponential"];
/** A media type with optional parameters, and nothing that could end the header line. */
const CONTENT_TYPE = /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.-]+=[\w.-]+)*$/;

type Section = Readonly<Record<string, unknown>>;

/**
 * One section of a DeliveryPolicy in both of SNS's shapes: a subscription's `<name>` (`healthyRetryPolicy`)
 * and a topic's `http.default<Name>` (`http.defaultHealthyRetryPolicy`); either may be missing.
 */
function sectionsOf(policy: string | undefined, name: "healthyRetryPolicy" | "throttlePolicy" | "requestPolicy"): { own?: Section; topic?: Section } {
  if (policy === undefined || policy === "") return {};
  try {
    const parsed = JSON.parse(policy) as Record<string, Section | undefined> | null;
    const topicName = `default${name[0]?.toUpperCase() ?? ""}${name.slice(1)}`;
    return { own: parsed?.[name], topic: parsed?.http?.[topicName] as Section | undefined };
  } catch {
    return {};
  }
}

/** The healthy retry policy a DeliveryPolicy holds, whichever of SNS's two shapes it has. */
function healthyOf(policy: string | undefined): HealthyRetryPolicy {
  const { own, topic } = sectionsOf(policy, "healthyRetryPolicy");
  return own ?? topic ?? {};
}

const count = (value: unknown, fallback: number) => (typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : fallback);

/**
 * Why SNS would refuse this DeliveryPolicy (a sentence after "DeliveryPolicy: "), or undefined when it
 * is acceptable. Values must be whole numbers in SNS's ranges and the phases fit in `numRetries`.
 */
export function deliveryPolicyProblem(policy: string): string | undefined {
  const healthy = healthyOf(policy);
  const numbers: [keyof HealthyRetryPolicy, number, number][] = [
    ["numRetries", 0, MAX_RETRIES], ["numNoDelayRetries", 0, MAX_RETRIES], ["numMinDelayRetries", 0, MAX_RETRIES],
    ["numMaxDelayRetries", 0, MAX_RETRIES], ["minDelayTarget", 1, MAX_DELAY_SECONDS], ["maxDelayTarget", 1, MAX_DELAY_SECONDS],
  ];
  for (const [name, low, high] of numbers) {
    const value = healthy[name];
    if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high)) {
      return `${name} must be an integer from ${low} to ${high}`;
    }
  }
  if (healthy.backoffFunction !== undefined && !(typeof healthy.backoffFunction === "string" && BACKOFF_FUNCTIONS.includes(healthy.backoffFunction))) {
    return `backoffFunction must be one of ${BACKOFF_FUNCTIONS.join(", ")}`;
  }
  const rate = throttleGiven(policy);
  if (rate !== undefined && throttleIntervalMs(policy) === undefined) return "maxReceivesPerSecond must be an integer of at least 1";
  const contentType = contentTypeGiven(policy);
  if (contentType !== undefined && !(typeof contentType === "string" && CONTENT_TYPE.test(contentType))) return "headerContentType must be a media type such as application/json";
  const min = count(healthy.minDelayTarget, DEFAULT_DELAY_SECONDS);
  if (min > count(healthy.maxDelayTarget, Math.max(min, DEFAULT_DELAY_SECONDS))) return "minDelayTarget must not exceed maxDelayTarget";
  const phases = count(healthy.numNoDelayRetries, 0) + count(healthy.numMinDelayRetries, 0) + count(healthy.numMaxDelayRetries, 0);
  if (phases > count(healthy.numRetries, DEFAULT_RETRIES)) return "numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries must add up to no more than numRetries";
  return undefined;
}

/** The `headerContentType` a policy names (its `requestPolicy`, a topic's `http.defaultRequestPolicy`), if any. */
function contentTypeGiven(policy: string | undefined): unknown {
  const { own, topic } = sectionsOf(policy, "requestPolicy");
  return own?.headerContentType ?? topic?.headerContentType;
}

/**
 * The least time between two notifications' first attempts to one subscription: the policy's
 * `throttlePolicy.maxReceivesPerSecond` (a topic's `http.defaultThrottlePolicy`), undefined when unthrottled.
 */
export function throttleIntervalMs(policy: string | undefined): number | undefined {
  const rate = throttleGiven(policy);
  return typeof rate === "number" && Number.isInteger(rate) && rate >= 1 ? 1000 / rate : undefined;
}

function throttleGiven(policy: string | undefined): unknown {
  const { own, topic } = sectionsOf(policy, "throttlePolicy");
  return own?.maxReceivesPerSecond ?? topic?.maxReceivesPerSecond;
}

/** The Content-Type SNS posts with: the policy's `headerContentType`, else SNS's `text/plain; charset=UTF-8`. */
export function requestContentType(policy: string | undefined): string {
  const given = contentTypeGiven(policy);
  return typeof given === "string" && CONTENT_TYPE.test(given) ? given : "text/plain; charset=UTF-8";
}

/** The delay before each retry, in milliseconds, first retry first. */
export function retryDelaysMs(policy: string | undefined): number[] {
  const healthy = healthyOf(policy);
  const retries = Math.min(count(healthy.numRetries, DEFAULT_RETRIES), MAX_RETRIES);
  const min = Math.min(Math.max(1, count(healthy.minDelayTarget, DEFAULT_DELAY_SECONDS)), MAX_DELAY_SECONDS);
  const max = Math.min(Math.max(min, count(healthy.maxDelayTarget, Math.max(min, DEFAULT_DELAY_SECONDS))), MAX_DELAY_SECONDS);
  const noDelay = Math.min(count(healthy.numNoDelayRetries, 0), retries);
  const minPhase = Math.min(count(healthy.numMinDelayRetries, 0), retries - noDelay);
  const maxPhase = Math.min(count(healthy.numMaxDelayRetries, 0), retries - noDelay - minPhase);
  const backoff = retries - noDelay - minPhase - maxPhase;
  const ratio = backoff > 1 ? 1 / (backoff - 1) : 1;
  const even = healthy.backoffFunction !== "geometric" && healthy.backoffFunction !== "exponential";
  const backoffDelay = (i: number) => (backoff === 1 ? min : even ? min + (max - min) * i * ratio : min * (max / min) ** (i * ratio));
  const seconds = [
    ...Array<number>(noDelay).fill(0),
    ...Array<number>(minPhase).fill(min),
    ...Array.from({ length: backoff }, (_, i) => backoffDelay(i)),
    ...Array<number>(maxPhase).fill(max),
  ];
  return seconds.map((s) => Math.round(s * 1000));
}

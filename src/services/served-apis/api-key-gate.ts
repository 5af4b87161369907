/**
 * The API key check of a REST API method with `apiKeyRequired`: the key (the `x-api-key` header, or a
 * Lambda authorizer's `usageIdentifierKey` when the API's apiKeySource is AUTHORIZER) must be an enabled
 * key of a usage plan that names the API's stage; else 403 `Forbidden`, as on AWS. The plan then limits
 * the key: its throttle (the method's own in the plan's stage, else the plan's) as a token bucket, 429
 * `Too Many Requests`; its quota per day, week or month, 429 `Limit Exceeded`.
 *
 * Keys and plans are read from the store on every call, so a change anywhere counts at once. The
 * buckets and quota counts live in this process: on a cluster each node limits on its own, and a
 * restart starts the counts again. (AWS, too, applies plans' throttles and quotas "on a best-effort
 * basis" and says not to rely on them for cost control.)
 */
import { apiKeyValueId, type ApiKeyRecord, type ApiKeyValueRecord, type QuotaSettings, type UsagePlanRecord } from "../../core/api-keys.js";
import { burstOf, TokenBuckets } from "../../core/token-buckets.js";
import { ownValue } from "../../core/own-keys.js";
import type { LimitRefusal } from "./limit-refusals.js";
import type { DocumentStore } from "../../store/ports.js";

export interface ApiKeyGateDeps {
  readonly apiKeys: DocumentStore<ApiKeyRecord>;
  readonly apiKeyValues: DocumentStore<ApiKeyValueRecord>;
  readonly usagePlans: DocumentStore<UsagePlanRecord>;
  readonly now?: () => number;
}

/** The call being checked: the API and stage, and the method as a plan's throttle names it (`/pets/{id}`, `GET`). */
export interface GatedCall {
  readonly apiId: string;
  readonly stage: string;
  readonly resourcePath: string;
  readonly method: string;
}

export type GateVerdict =
  | { readonly kind: "admit"; readonly key: ApiKeyRecord }
  | { readonly kind: LimitRefusal; readonly why: string };

interface QuotaCount {
  readonly periodStart: number;
  used: number;
}

/** More tracked quota counts than this and the oldest are forgotten (keys that stopped calling). */
const MAX_TRACKED = 100_000;

export class ApiKeyGate {
  private readonly buckets = new TokenBuckets();
  private readonly quotas = new Map<string, QuotaCount>();
  private readonly now: () => number;

  constructor(private readonly deps: ApiKeyGateDeps) {
    this.now = deps.now ?? Date.now;
  }

  async check(call: GatedCall, presented: string | undefined): Promise<GateVerdict> {
    if (presented === undefined || presented === "") return { kind: "forbidden", why: "no API key was sent" };
    const entry = await this.deps.apiKeyValues.get(apiKeyValueId(presented));
    const key = entry ? await this.deps.apiKeys.get(entry.keyId) : undefined;
    if (!key || key.value !== presented) return { kind: "forbidden", why: "the API key is not known" };
    if (!key.enabled) return { kind: "forbidden", why: `API key ${key.id} is disabled` };
    const plans = await this.deps.usagePlans.list();
    const plan = plans.find((p) => p.keyIds.includes(key.id) && p.apiStages.some((s) => s.apiId === call.apiId && s.stage === call.stage));
    if (!plan) return { kind: "forbidden", why: `API key ${key.id} is in no usage plan of stage ${call.stage}` };
    const now = this.now();
    const throttled = this.throttled(plan, key, call, now);
    if (throttled) return { kind: "throttled", why: throttled };
    if (plan.quota && !this.withinQuota(`${plan.id}/${key.id}`, plan.quota, now)) {
      return { kind: "over-quota", why: `API key ${key.id} used its ${plan.quota.limit} calls for this ${plan.quota.period.toLowerCase()} (usage plan ${plan.id})` };
    }
    return { kind: "admit", key };
  }

  /**
   * Why the call is throttled, or undefined: the method's throttle in the plan's stage, else the stage's
   * `/*\/*` one, else the plan's, member by member (a method that sets only a burst keeps the plan's rate).
   */
  private throttled(plan: UsagePlanRecord, key: ApiKeyRecord, call: GatedCall, now: number): string | undefined {
    const stage = plan.apiStages.find((s) => s.apiId === call.apiId && s.stage === call.stage);
    const path = call.resourcePath === "/" ? "" : call.resourcePath;
    const methodKey = `${path}/${call.method}`;
    const throttles = stage?.throttle ?? {};
    const own = ownValue(throttles, methodKey) ?? ownValue(throttles, `${path}/*`);
    const all = ownValue(throttles, "/*/*");
    const rateLimit = own?.rateLimit ?? all?.rateLimit ?? plan.throttle?.rateLimit;
    if (rateLimit === undefined) return undefined;
    const limit = { rateLimit, burstLimit: own?.burstLimit ?? all?.burstLimit ?? plan.throttle?.burstLimit };
    const scope = own ? methodKey : all ? "/*/*" : "";
    return this.buckets.take(`${plan.id}/${key.id}/${scope}`, limit, now)
      ? undefined
      : `API key ${key.id} is over the rate of usage plan ${plan.id} (${rateLimit} per second, burst ${burstOf(limit)})`;
  }

  private withinQuota(name: string, quota: QuotaSettings, now: number): boolean {
    const periodStart = quotaPeriodStart(quota, now);
    let count = this.quotas.get(name);
    if (!count || count.periodStart !== periodStart) count = track(this.quotas, name, { periodStart, used: 0 });
    if (count.used >= quota.limit) return false;
    count.used += 1;
    return true;
  }
}

function track<T>(map: Map<string, T>, name: string, value: T): T {
  if (map.size >= MAX_TRACKED) map.delete(map.keys().next().value as string);
  map.delete(name);
  map.set(name, value);
  return value;
}

/**
 * When the quota period holding `now` began (UTC): the day; the week starting on the offset's day
 * (0 Sunday … 6 Saturday); the month starting on day 1 + offset.
 */
export function quotaPeriodStart(quota: QuotaSettings, now: number): number {
  const day = new Date(now);
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  if (quota.period === "DAY") return midnight;
  if (quota.period === "WEEK") {
    const back = (day.getUTCDay() - quota.offset + 7) % 7;
    return midnight - back * 86_400_000;
  }
  const startDay = 1 + quota.offset;
  const thisMonth = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), startDay);
  return thisMonth <= now ? thisMonth : Date.UTC(day.getUTCFullYear(), day.getUTCMonth() - 1, startDay);
}


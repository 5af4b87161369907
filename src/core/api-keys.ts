/**
 * REST APIs' API keys and usage plans (API Gateway v1): the documents the management API keeps
 * (src/services/apigateway/api-keys.ts, usage-plans.ts) and the serving path reads to let a call to an
 * `apiKeyRequired` method through (src/services/served-apis/api-key-gate.ts).
 */
import { createHash } from "node:crypto";

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly description: string | undefined;
  readonly enabled: boolean;
  readonly customerId: string | undefined;
  readonly createdDate: number;
  readonly lastUpdatedDate: number;
  /** `<restApiId>/<stageName>`: kept and described, as AWS keeps them (usage plans decide access). */
  readonly stageKeys: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface ThrottleSettings {
  readonly burstLimit?: number | undefined;
  readonly rateLimit?: number | undefined;
}

export interface QuotaSettings {
  readonly limit: number;
  readonly offset: number;
  readonly period: "DAY" | "WEEK" | "MONTH";
}

export interface UsagePlanStage {
  readonly apiId: string;
  readonly stage: string;
  /** Per method, by `<resource path>/<METHOD>` (`/pets/GET`), overriding the plan's throttle. */
  readonly throttle?: Readonly<Record<string, ThrottleSettings>> | undefined;
}

export interface UsagePlanRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly apiStages: readonly UsagePlanStage[];
  readonly throttle: ThrottleSettings | undefined;
  readonly quota: QuotaSettings | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** The API keys in the plan (its usage plan keys), in the order they were added. */
  readonly keyIds: readonly string[];
}

/** The key a value belongs to, under `apiKeyValueId(value)`: written before its key, removed after it. */
export interface ApiKeyValueRecord {
  readonly keyId: string;
}

/** Where a key is found by its value: the key's value is never a document id, its SHA-256 is. */
export function apiKeyValueId(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/**
 * IAM enforcement as a serving process assembles it: the enforcer with the resource policies and tags
 * it reads, and the decision log its denials go to. The main process and DynamoDB's endpoint workers
 * (dynamodb-worker.ts) build it here alike; only where function records come from and where denials
 * are appended differ.
 */
import type { Logger } from "pino";
import type { Account } from "../core/arn.js";
import { deployedPolicy } from "../core/api-definitions.js";
import type { FunctionRecord } from "../core/function.js";
import { ownValue } from "../core/own-keys.js";
import type { IamChanges } from "../auth/iam-changes.js";
import { IamDecisionLog } from "../auth/iam-decision-log.js";
import { IamEnforcer } from "../auth/iam-enforcer.js";
import { resourcePolicyLookup } from "../auth/resource-policies.js";
import type { ResourceTagChanges } from "../auth/resource-tag-changes.js";
import { resourceTagLookup } from "../auth/resource-tags.js";
import { dynamodbResourcePolicyLookup } from "../services/dynamodb/resource-policies.js";
import type { LogStore, Store } from "../store/ports.js";
import type { Config } from "./config.js";

export interface EnforcementDeps {
  readonly config: Pick<Config, "iam" | "iamDecisionsPerSecond" | "iamClusterStalenessMs">;
  readonly store: Store;
  readonly account: Account;
  /**
   * Other processes write the same store (a cluster's nodes, DynamoDB's endpoint workers): cached
   * callers, policies and tags are then kept at most `iamClusterStalenessMs`, since their writes do
   * not pass through this process's change counters.
   */
  readonly shared: boolean;
  /** A function's record (its role, policies and tags), as this process reads it. */
  readonly functionRecord: (name: string) => Promise<FunctionRecord | undefined>;
  /** Drops this process's cached copy of the resource (a function) whose policy may have changed elsewhere (IamEnforcerDeps.forgetCached). */
  readonly forgetCached?: ((resource: string) => boolean) | undefined;
  readonly iamChanges: IamChanges;
  readonly resourceTagChanges: ResourceTagChanges;
  /** Where denials are appended (the log group /unkai/iam/decisions). */
  readonly decisions: Pick<LogStore, "append">;
  readonly nodeName: string;
  readonly logger: Logger;
}

export interface Enforcement {
  readonly enforcer: IamEnforcer | undefined;
  readonly decisionLog: IamDecisionLog | undefined;
}

export function iamEnforcement(deps: EnforcementDeps): Enforcement {
  const { config, store, account, logger } = deps;
  if (config.iam === "off") return { enforcer: undefined, decisionLog: undefined };
  // Denials (and audit's would-be denials) go to the log group /unkai/iam/decisions (docs/iam.md, "Decision log").
  const decisionLog = config.iamDecisionsPerSecond > 0
    ? new IamDecisionLog({ logs: deps.decisions, nodeName: deps.nodeName, maxPerSecond: config.iamDecisionsPerSecond, onError: (error) => logger.error({ err: error }, "could not record an IAM denial") })
    : undefined;
  const maxAgeMs = deps.shared ? config.iamClusterStalenessMs : undefined;
  const enforcer = new IamEnforcer({
    iam: store.iam, account, roleOf: async (name) => (await deps.functionRecord(name))?.config.role, logger: logger.child({ service: "iam" }),
    mode: config.iam, denials: decisionLog,
    changes: deps.iamChanges, cacheMaxAgeMs: maxAgeMs, forgetCached: deps.forgetCached,
    resourcePolicyOf: resourcePolicyLookup({
      account, queues: store.queues, bucketSettings: store.bucketSettings, topics: store.snsTopics, buses: store.eventBuses, kinesisStreams: store.kinesisStreams,
      functionPolicy: async (name, qualifier) => { const policies = (await deps.functionRecord(name))?.policies; return policies && ownValue(policies, qualifier); },
      layerPolicy: async (name, version) => (await store.layers.get(name, version))?.policy?.statements,
      restApiPolicy: async (apiId, stage) => { const api = await store.restApis.get(apiId); return api && deployedPolicy(api, stage); },
      dynamodbPolicy: dynamodbResourcePolicyLookup(store.dynamodb, account),
    }),
    resourceTagsOf: resourceTagLookup({
      account, store, changes: deps.resourceTagChanges, maxAgeMs,
      functionTags: async (name) => (await deps.functionRecord(name))?.tags,
    }),
  });
  return { enforcer, decisionLog };
}

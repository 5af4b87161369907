/** CloudWatch Logs (awsJson1.1) over Unkai's log store: `aws logs` reads, `unkai logs`, groups, streams, PutLogEvents and retention. */
import type { Logger } from "pino";
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { loadModel } from "../../protocol/codecs/model.js";
import { modelService, type Operations } from "../../protocol/codecs/model-service.js";
import type { Service } from "../../protocol/http.js";
import type { FreeSpace } from "../../store/disk-space.js";
import type { DocumentStore, LogStore, MetricFilterStore } from "../../store/ports.js";
import type { LogGroupSubscriptions } from "../../core/log-subscription.js";
import { LOGS_ERRORS } from "./errors.js";
import type { ServiceModule } from "../module.js";
import { filterOperations } from "./filter.js";
import { metricFilterOperations } from "./metric-filters.js";
import { writeOperations, type GroupNameInput } from "./writes.js";
import { logsActions } from "./authorization.js";
import { cachedDocuments } from "./ingestion.js";
import { compiledPattern } from "./pattern-cache.js";
import { subscriptionDelivery } from "./subscription-delivery.js";
import { subscriptionFilterOperations, type SubscriptionDeps } from "./subscription-filters.js";

interface GetInput {
  readonly logGroupName?: string;
  readonly logGroupIdentifier?: string;
  readonly logStreamName: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly nextToken?: string;
  readonly limit?: number;
}
interface StreamsInput {
  readonly logGroupName?: string;
  readonly logGroupIdentifier?: string;
  readonly logStreamNamePrefix?: string;
  readonly limit?: number;
}

export interface LogsServiceDeps {
  readonly logs: LogStore;
  readonly metricFilters: MetricFilterStore;
  readonly subscriptions: DocumentStore<LogGroupSubscriptions>;
  /** What PutSubscriptionFilter checks a destination function with. */
  readonly destinations: Pick<SubscriptionDeps, "functionExists" | "logsMayInvoke">;
  readonly account: Account;
  /** Creating groups and streams and PutLogEvents are refused while the data directory is low on space. */
  readonly space: FreeSpace;
  readonly logger: Logger;
  readonly now?: () => number;
}

export function logsService({ logs, metricFilters, subscriptions, destinations, account, space, logger, now = Date.now }: LogsServiceDeps): Service {
  const groupArn = (group: string) => `arn:aws:logs:${account.region}:${account.accountId}:log-group:${group}`;
  const requireGroup = async (group: string | undefined) => {
    if (!group) throw new UnkaiError("InvalidParameterException", "logGroupName is required.");
    if (!(await logs.group(group))) {
      throw new UnkaiError("ResourceNotFoundException", "The specified log group does not exist.");
    }
    return group;
  };

  const operations: Operations = {
    ...writeOperations({ logs, space, now, requireGroup }),
    ...filterOperations(logs, requireGroup),
    ...metricFilterOperations(metricFilters, requireGroup, now),
    ...subscriptionFilterOperations({ ...destinations, subscriptions, account, requireGroup, now }),
    async GetLogEvents(input: GetInput) {
      const group = await requireGroup(input.logGroupName ?? input.logGroupIdentifier);
      const afterId = input.nextToken?.startsWith("f/") ? Number(input.nextToken.slice(2)) : undefined;
      const { events } = await logs.query({ group, streams: [input.logStreamName], startTime: input.startTime, endTime: input.endTime, afterId, limit: input.limit ?? 10_000 });
      const last = events.at(-1)?.eventId ?? String(afterId ?? 0);
      return {
        events: events.map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime })),
        nextForwardToken: `f/${last}`,
        nextBackwardToken: `b/${events[0]?.eventId ?? last}`,
      };
    },
    async DescribeLogGroups(input: { readonly logGroupNamePrefix?: string }) {
      return {
        logGroups: (await logs.groups(input.logGroupNamePrefix)).map((g) => ({
          logGroupName: g.name,
          creationTime: g.creationTime,
          ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
          storedBytes: g.storedBytes,
          arn: `${groupArn(g.name)}:*`,
          logGroupArn: groupArn(g.name),
        })),
      };
    },
    async DescribeLogStreams(input: StreamsInput) {
      const group = await requireGroup(input.logGroupName ?? input.logGroupIdentifier);
      return {
        logStreams: (await logs.streams(group, input.logStreamNamePrefix, input.limit ?? 50)).map((s) => ({
          ...s,
          lastIngestionTime: s.lastEventTimestamp,
          arn: `${groupArn(group)}:log-stream:${s.logStreamName}`,
        })),
      };
    },
    async DeleteLogGroup(input: GroupNameInput) {
      const group = await requireGroup(input.logGroupName);
      await metricFilters.deleteGroup(group);
      await subscriptions.delete(group);
      await logs.deleteGroup(group);
    },
  };

  // Constraint failures are InvalidParameterException on CloudWatch Logs, worded "1 validation error detected: …".
  return modelService({
    name: "logs", model: loadModel("logs"), errors: LOGS_ERRORS, operations, signingNames: ["logs"], logger, validationError: "InvalidParameterException",
    authorization: logsActions(account),
  });
}

export const logsModule: ServiceModule = {
  name: "logs",
  errors: { kind: "json", table: LOGS_ERRORS, heading: "## CloudWatch Logs errors" },
  compatibility: "docs/compatibility/logs.md",
  create: (p) => {
    const logger = p.logger("logs");
    const subscriptions = cachedDocuments(p.store.logSubscriptions);
    const enforcer = p.iamEnforcer;
    p.onLogsAppended(subscriptionDelivery({
      subscriptions, send: (arn, message) => p.destinations.send(arn, message), owner: p.account.accountId, patternOf: compiledPattern, logger,
    }));
    const destinations: LogsServiceDeps["destinations"] = {
      functionExists: async (name) => (await p.functions.find(name)) !== undefined,
      ...(enforcer ? { logsMayInvoke: (functionArn: string, logGroupArn: string) => enforcer.serviceMayInvoke(LOGS_PRINCIPALS(p.account.region), functionArn, logGroupArn) } : {}),
    };
    return logsService({ logs: p.store.logs, metricFilters: p.store.metricFilters, subscriptions, destinations, account: p.account, space: p.space, logger });
  },
};

/** The service principals a function policy may name to let CloudWatch Logs invoke it (both are accepted by AWS). */
const LOGS_PRINCIPALS = (region: string) => ["logs.amazonaws.com", `logs.${region}.amazonaws.com`];

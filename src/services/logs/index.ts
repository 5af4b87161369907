/** CloudWatch Logs (awsJson1.1) over Unkai's log store: `aws logs` reads, `unkai logs`, groups (and their tags), streams, PutLogEvents and retention. */
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
import { liveTailHub, type LiveTailHub } from "./live-tail.js";
import { liveTailOperations } from "./live-tail-operation.js";
import { compiledPattern } from "./pattern-cache.js";
import { subscriptionDelivery } from "./subscription-delivery.js";
import { subscriptionFilterOperations, type SubscriptionDeps } from "./subscription-filters.js";
import { logsValidationError, tagOperations } from "./tags.js";

interface GetInput {
  readonly logGroupName?: string;
  readonly logGroupIdentifier?: string;
  readonly logStreamName: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly nextToken?: string;
  readonly limit?: number;
  readonly startFromHead?: boolean;
}
interface StreamsInput {
  readonly logGroupName?: string;
  readonly logGroupIdentifier?: string;
  readonly logStreamNamePrefix?: string;
  readonly orderBy?: "LogStreamName" | "LastEventTime";
  readonly descending?: boolean;
  readonly nextToken?: string;
  readonly limit?: number;
}
interface GroupsInput {
  readonly logGroupNamePrefix?: string;
  readonly logGroupNamePattern?: string;
  readonly nextToken?: string;
  readonly limit?: number;
}

/** A Describe* page token: the offset of the next page (opaque to clients). */
function offsetOf(token: string | undefined): number {
  if (token === undefined) return 0;
  if (!/^\d{1,9}$/.test(token)) throw new UnkaiError("InvalidParameterException", "The specified nextToken is invalid.");
  return Number(token);
}

export interface LogsServiceDeps {
  readonly logs: LogStore;
  readonly metricFilters: MetricFilterStore;
  readonly subscriptions: DocumentStore<LogGroupSubscriptions>;
  /** What PutSubscriptionFilter checks a destination function with. */
  readonly destinations: Pick<SubscriptionDeps, "functionExists" | "logsMayInvoke" | "streamMayReceive">;
  readonly account: Account;
  /** Creating groups and streams and PutLogEvents are refused while the data directory is low on space. */
  readonly space: FreeSpace;
  readonly logger: Logger;
  /** Open StartLiveTail sessions, fed by the module's ingestion listener. */
  readonly liveTail: LiveTailHub;
  readonly now?: () => number;
}

export function logsService({ logs, metricFilters, subscriptions, destinations, account, space, logger, liveTail, now = Date.now }: LogsServiceDeps): Service {
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
    ...liveTailOperations(liveTail, logs, account),
    ...tagOperations({ logs, account }),
    async GetLogEvents(input: GetInput) {
      const group = await requireGroup(input.logGroupName ?? input.logGroupIdentifier);
      if (!(await logs.hasStream(group, input.logStreamName))) throw new UnkaiError("ResourceNotFoundException", "The specified log stream does not exist.");
      return getLogEvents(logs, group, input);
    },
    async DescribeLogGroups(input: GroupsInput) {
      const pattern = input.logGroupNamePattern;
      if (pattern !== undefined && input.logGroupNamePrefix !== undefined) {
        throw new UnkaiError("InvalidParameterException", "logGroupNamePrefix and logGroupNamePattern are mutually exclusive. Only one of these parameters can be passed.");
      }
      const offset = offsetOf(input.nextToken);
      const limit = input.limit ?? 50;
      // The pattern is a case-sensitive substring of the name, as AWS documents it.
      const all = pattern === undefined ? await logs.groups(input.logGroupNamePrefix) : (await logs.groups(undefined)).filter((g) => g.name.includes(pattern));
      return {
        ...(offset + limit < all.length ? { nextToken: String(offset + limit) } : {}),
        logGroups: all.slice(offset, offset + limit).map((g) => ({
          logGroupName: g.name,
          creationTime: g.creationTime,
          // With a pattern AWS answers only the name, creation time and arn.
          ...(pattern === undefined ? {
            ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
            storedBytes: g.storedBytes,
            logGroupArn: groupArn(g.name),
          } : {}),
          arn: `${groupArn(g.name)}:*`,
        })),
      };
    },
    async DescribeLogStreams(input: StreamsInput) {
      const group = await requireGroup(input.logGroupName ?? input.logGroupIdentifier);
      const by = input.orderBy ?? "LogStreamName";
      if (by === "LastEventTime" && input.logStreamNamePrefix !== undefined) {
        throw new UnkaiError("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.");
      }
      const offset = offsetOf(input.nextToken);
      const limit = input.limit ?? 50;
      // One more than the page: whether there is a next one.
      const found = await logs.streams(group, input.logStreamNamePrefix, limit + 1, { by, descending: input.descending === true, offset });
      return {
        logStreams: found.slice(0, limit).map((s) => ({
          ...s,
          lastIngestionTime: s.lastEventTimestamp,
          arn: `${groupArn(group)}:log-stream:${s.logStreamName}`,
        })),
        ...(found.length > limit ? { nextToken: String(offset + limit) } : {}),
      };
    },
    async DeleteLogGroup(input: GroupNameInput) {
      const group = await requireGroup(input.logGroupName);
      await metricFilters.deleteGroup(group);
      await subscriptions.delete(group);
      await logs.deleteGroup(group);
    },
  };

  // Constraint failures are InvalidParameterException on CloudWatch Logs, worded "1 validation error detected: …" (but see logsValidationError).
  const service = modelService({
    name: "logs", model: loadModel("logs"), errors: LOGS_ERRORS, operations, signingNames: ["logs"], logger, validationError: logsValidationError,
    authorization: logsActions(account),
  });
  // Live tails last hours: at shutdown they end, so their responses finish and the connections close.
  return { ...service, close: () => Promise.resolve(liveTail.closeAll()) };
}

/** A GetLogEvents token: `f/<id>` reads after the event, `b/<id>` before it. */
function parseToken(token: string | undefined): { readonly forward: boolean; readonly id: number } | undefined {
  const match = token === undefined ? null : /^([fb])\/(\d{1,16})$/.exec(token);
  if (token !== undefined && !match) throw new UnkaiError("InvalidParameterException", "The specified nextToken is invalid.");
  return match ? { forward: match[1] === "f", id: Number(match[2]) } : undefined;
}

/**
 * GetLogEvents as CloudWatch Logs pages it: without a token, the newest `limit` events (or the oldest
 * with `startFromHead`); `nextForwardToken` reads newer events and `nextBackwardToken` older ones,
 * each page oldest first. A page with nothing new gives back the token it was asked with, which is
 * how clients know they reached the end.
 */
async function getLogEvents(logs: LogStore, group: string, input: GetInput): Promise<object> {
  const token = parseToken(input.nextToken);
  const backward = token ? !token.forward : input.startFromHead !== true;
  const { events } = await logs.query({
    group, streams: [input.logStreamName], startTime: input.startTime, endTime: input.endTime, limit: input.limit ?? 10_000,
    ...(backward ? { fromEnd: true, ...(token ? { beforeId: token.id } : {}) } : { afterId: token?.id ?? 0 }),
  });
  const first = events[0]?.eventId;
  const last = events.at(-1)?.eventId;
  const here = token ? String(token.id) : "0";
  return {
    events: events.map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime })),
    nextForwardToken: last !== undefined ? `f/${last}` : token?.forward === true || !token ? `f/${here}` : `f/${Number(here) - 1}`,
    nextBackwardToken: first !== undefined ? `b/${first}` : token && !token.forward ? `b/${here}` : `b/${Number(here) + 1}`,
  };
}

export const logsModule: ServiceModule = {
  name: "logs",
  errors: { kind: "json", table: LOGS_ERRORS, heading: "## CloudWatch Logs errors" },
  compatibility: "docs/compatibility/logs.md",
  create: (p) => {
    const logger = p.logger("logs");
    const subscriptions = cachedDocuments(p.store.logSubscriptions);
    const enforcer = p.iamEnforcer;
    // On a cluster's shared store sessions read what every node ingests (docs/compatibility/logs.md, "Live tail").
    const liveTail = liveTailHub({ updateIntervalMs: LIVE_TAIL_UPDATE_MS, sessionTimeoutMs: p.liveTailTimeoutMs, maxSessions: p.liveTailMaxSessions, sharedStore: p.store.cluster ? p.store.logs : undefined,
      onStoreError: (error) => logger.error({ err: error }, "live tail could not read the log store"),
    });
    p.onLogsAppended((group, stream, events) => liveTail.appended(group, stream, events));
    p.onLogsAppended(subscriptionDelivery({
      subscriptions, send: (arn, message) => p.destinations.send(arn, message), owner: p.account.accountId, patternOf: compiledPattern, logger,
      sourceOf: (group) => logsSource(p.account.region, `arn:aws:logs:${p.account.region}:${p.account.accountId}:log-group:${group}:*`),
    }));
    const destinations: LogsServiceDeps["destinations"] = {
      functionExists: async (name) => (await p.functions.find(name)) !== undefined,
      ...(enforcer ? { logsMayInvoke: async (functionArn: string, logGroupArn: string) => (await p.destinations.permission(functionArn, logsSource(p.account.region, logGroupArn))).allowed } : {}),
      streamMayReceive: async (streamArn: string, roleArn: string, logGroupArn: string) =>
        (await p.destinations.exists(streamArn)) && (await p.destinations.permission(streamArn, { ...logsSource(p.account.region, logGroupArn), roleArn })).allowed,
    };
    return logsService({ logs: p.store.logs, metricFilters: p.store.metricFilters, subscriptions, destinations, account: p.account, space: p.space, logger, liveTail });
  },
};

/** AWS sends a live tail's `sessionUpdate` every second. */
const LIVE_TAIL_UPDATE_MS = 1_000;

/** CloudWatch Logs delivering for a log group: a function policy may name either of its principals (both are accepted by AWS). */
const logsSource = (region: string, logGroupArn: string) => ({ principal: "logs.amazonaws.com", otherPrincipals: [`logs.${region}.amazonaws.com`], arn: logGroupArn });

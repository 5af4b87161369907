/** CloudWatch Logs (awsJson1.1) over Unkai's log store: `aws logs` reads, `unkai logs`, groups, streams, PutLogEvents and retention. */
import type { Logger } from "pino";
import { z } from "zod";
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { asUnkaiError, awsJsonError } from "../../protocol/errors.js";
import type { UnkaiResponse, Service } from "../../protocol/http.js";
import type { FreeSpace } from "../../store/disk-space.js";
import type { LogStore } from "../../store/ports.js";
import { LOGS_ERRORS } from "./errors.js";
import type { ServiceModule } from "../module.js";
import { parse, respond } from "./json.js";
import { writeOperations, groupNameInput } from "./writes.js";
import { logsActions, logsAuthorizer } from "./authorization.js";

const TARGET_PREFIX = "Logs_20140328.";

const filterInput = z.object({
  logGroupName: z.string().optional(),
  logGroupIdentifier: z.string().optional(),
  logStreamNames: z.array(z.string()).optional(),
  logStreamNamePrefix: z.string().optional(),
  startTime: z.number().optional(),
  endTime: z.number().optional(),
  filterPattern: z.string().optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});
const getInput = filterInput.extend({ logStreamName: z.string(), startFromHead: z.boolean().optional() });
const groupsInput = z.object({ logGroupNamePrefix: z.string().optional() });
const streamsInput = z.object({
  logGroupName: z.string().optional(),
  logGroupIdentifier: z.string().optional(),
  logStreamNamePrefix: z.string().optional(),
  limit: z.number().int().min(1).max(50).optional(),
});

/** CloudWatch filter patterns: Unkai supports plain terms and quoted phrases, matched as substrings. */
function patternTerm(pattern: string | undefined): string | undefined {
  const trimmed = pattern?.trim();
  if (!trimmed) return undefined;
  return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

export interface LogsServiceDeps {
  readonly logs: LogStore;
  readonly account: Account;
  /** Creating groups and streams and PutLogEvents are refused while the data directory is low on space. */
  readonly space: FreeSpace;
  readonly logger: Logger;
  readonly now?: () => number;
}

export function logsService({ logs, account, space, logger, now = Date.now }: LogsServiceDeps): Service {
  const groupArn = (group: string) => `arn:aws:logs:${account.region}:${account.accountId}:log-group:${group}`;
  const requireGroup = async (group: string | undefined) => {
    if (!group) throw new UnkaiError("InvalidParameterException", "logGroupName is required.");
    if (!(await logs.group(group))) {
      throw new UnkaiError("ResourceNotFoundException", "The specified log group does not exist.");
    }
    return group;
  };

  const operations: Record<string, (body: Buffer) => Promise<UnkaiResponse>> = {
    ...writeOperations({ logs, space, now, requireGroup }),
    async FilterLogEvents(body) {
      const input = parse(filterInput, body);
      const group = await requireGroup(input.logGroupName ?? input.logGroupIdentifier);
      const streams = input.logStreamNames ?? (input.logStreamNamePrefix ? (await logs.streams(group, input.logStreamNamePrefix, 10_000)).map((s) => s.logStreamName) : undefined);
      const { events, lastId } = await logs.query({
        group,
        streams,
        startTime: input.startTime,
        endTime: input.endTime,
        contains: patternTerm(input.filterPattern),
        afterId: input.nextToken ? Number(input.nextToken) : undefined,
        limit: input.limit ?? 10_000,
      });
      return respond({ events, ...(lastId !== undefined ? { nextToken: String(lastId) } : {}), searchedLogStreams: [] });
    },
    async GetLogEvents(body) {
      const input = parse(getInput, body);
      const group = await requireGroup(input.logGroupName ?? input.logGroupIdentifier);
      const afterId = input.nextToken?.startsWith("f/") ? Number(input.nextToken.slice(2)) : undefined;
      const { events } = await logs.query({ group, streams: [input.logStreamName], startTime: input.startTime, endTime: input.endTime, afterId, limit: input.limit ?? 10_000 });
      const last = events.at(-1)?.eventId ?? String(afterId ?? 0);
      return respond({
        events: events.map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime })),
        nextForwardToken: `f/${last}`,
        nextBackwardToken: `b/${events[0]?.eventId ?? last}`,
      });
    },
    async DescribeLogGroups(body) {
      const input = parse(groupsInput, body);
      return respond({
        logGroups: (await logs.groups(input.logGroupNamePrefix)).map((g) => ({
          logGroupName: g.name,
          creationTime: g.creationTime,
          ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
          storedBytes: g.storedBytes,
          arn: `${groupArn(g.name)}:*`,
          logGroupArn: groupArn(g.name),
        })),
      });
    },
    async DescribeLogStreams(body) {
      const input = parse(streamsInput, body);
      const group = await requireGroup(input.logGroupName ?? input.logGroupIdentifier);
      return respond({
        logStreams: (await logs.streams(group, input.logStreamNamePrefix, input.limit ?? 50)).map((s) => ({
          ...s,
          lastIngestionTime: s.lastEventTimestamp,
          arn: `${groupArn(group)}:log-stream:${s.logStreamName}`,
        })),
      });
    },
    async DeleteLogGroup(body) {
      await logs.deleteGroup(await requireGroup(parse(groupNameInput, body).logGroupName));
      return respond({});
    },
  };

  const unmapped = Object.keys(operations).filter((operation) => !(operation in logsActions(account)));
  if (unmapped.length > 0) throw new Error(`Logs operations without an IAM action in authorization.ts: ${unmapped.join(", ")}`);
  const authorizeOperation = logsAuthorizer(account);

  return {
    name: "logs",
    signingNames: ["logs"],
    authorize: (request) => authorizeOperation((request.headers["x-amz-target"] ?? "").slice(TARGET_PREFIX.length), request.body),
    matches: (request) => request.method === "POST" && (request.headers["x-amz-target"] ?? "").startsWith(TARGET_PREFIX),
    rejectUnauthenticated: (error) => awsJsonError(error, LOGS_ERRORS),
    async handle(request) {
      const operation = (request.headers["x-amz-target"] ?? "").slice(TARGET_PREFIX.length);
      try {
        const run = operations[operation];
        if (!run) throw new UnkaiError("UnknownOperationException", `CloudWatch Logs operation ${operation} is not supported by Unkai.`);
        return await run(request.body);
      } catch (error) {
        if (!(error instanceof UnkaiError)) logger.error({ err: error, operation }, "internal error in the Logs API");
        return awsJsonError(asUnkaiError(error), LOGS_ERRORS);
      }
    },
  };
}

export const logsModule: ServiceModule = {
  name: "logs",
  errors: { kind: "json", table: LOGS_ERRORS, heading: "## CloudWatch Logs errors" },
  compatibility: "docs/compatibility/logs.md",
  create: (p) => logsService({ logs: p.store.logs, account: p.account, space: p.space, logger: p.logger("logs") }),
};

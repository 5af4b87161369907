/** StartLiveTail: checks the request as CloudWatch Logs does, then streams the hub's session (live-tail.ts). */
import { randomUUID } from "node:crypto";
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { EventStreamOutput } from "../../protocol/codecs/event-stream-output.js";
import type { OperationContext, Operations } from "../../protocol/codecs/model-service.js";
import type { LogStore } from "../../store/ports.js";
import { filterPattern } from "./filter.js";
import type { LiveTailHub } from "./live-tail.js";

interface StartLiveTailInput {
  readonly logGroupIdentifiers: readonly string[];
  readonly logStreamNames?: readonly string[];
  readonly logStreamNamePrefixes?: readonly string[];
  readonly logEventFilterPattern?: string;
}

const invalid = (message: string) => new UnkaiError("InvalidParameterException", message);

/**
 * The group an identifier names: an ARN of this account and region (AWS's documented form; the model's
 * pattern already refuses one ending in `*`), or a plain name (AWS's session start lists "the names and ARNs").
 */
function groupNameOf(identifier: string, account: Account): string {
  if (!identifier.startsWith("arn:")) return identifier;
  const prefix = `arn:aws:logs:${account.region}:${account.accountId}:log-group:`;
  // Another account's or region's group is not one this endpoint holds.
  if (!identifier.startsWith(prefix)) throw new UnkaiError("ResourceNotFoundException", `The specified log group does not exist: ${identifier}`);
  return identifier.slice(prefix.length);
}

export function liveTailOperations(hub: LiveTailHub, logs: LogStore, account: Account): Operations {
  return {
    async StartLiveTail(input: StartLiveTailInput, ctx: OperationContext) {
      const { logGroupIdentifiers, logStreamNames, logStreamNamePrefixes, logEventFilterPattern } = input;
      if (logStreamNames !== undefined && logStreamNamePrefixes !== undefined) {
        throw invalid("logStreamNames and logStreamNamePrefixes are mutually exclusive. Only one of these parameters can be passed.");
      }
      if ((logStreamNames !== undefined || logStreamNamePrefixes !== undefined) && logGroupIdentifiers.length > 1) {
        throw invalid("logStreamNames and logStreamNamePrefixes can be passed only with a single log group in logGroupIdentifiers.");
      }
      const pattern = filterPattern(logEventFilterPattern);
      if (hub.full) throw new UnkaiError("LimitExceededException", `The account has reached its limit of ${hub.size} concurrent Live Tail sessions; end one (close its stream) before starting another.`);
      const groups = new Map<string, string>();
      for (const identifier of logGroupIdentifiers) {
        const name = groupNameOf(identifier, account);
        if (!(await logs.group(name))) throw new UnkaiError("ResourceNotFoundException", `The specified log group does not exist: ${identifier}`);
        groups.set(name, identifier);
      }
      const start = {
        requestId: ctx.requestId, sessionId: randomUUID(), logGroupIdentifiers, logStreamNames, logStreamNamePrefixes,
        logEventFilterPattern: logEventFilterPattern ?? "",
      };
      const criteria = {
        groups, pattern,
        streamNames: logStreamNames === undefined ? undefined : new Set(logStreamNames),
        streamPrefixes: logStreamNamePrefixes,
      };
      return new EventStreamOutput("responseStream", hub.open(start, criteria));
    },
  };
}

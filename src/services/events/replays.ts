/**
 * StartReplay, DescribeReplay, ListReplays, CancelReplay. A replay sends an archive's events of a time
 * window again to the bus the archive keeps (replay-runner.ts runs it); at most 10 are active at once
 * per account, as AWS allows.
 */
import { UnkaiError } from "../../core/errors.js";
import { ACTIVE_REPLAY_STATES, isActiveReplay, type ArchiveRecord, type ReplayRecord, type ReplayState } from "../../core/events/archives.js";
import type { RuleRecord } from "../../core/events/resources.js";
import type { DocumentStore } from "../../store/ports.js";
import type { Names } from "./names.js";
import { page } from "./paging.js";
import type { ReplayRunner } from "./replay-runner.js";

/** AWS's quota of active concurrent replays per account and Region. */
export const MAX_ACTIVE_REPLAYS = 10;

export interface ReplayDeps {
  readonly replays: DocumentStore<ReplayRecord>;
  readonly archives: DocumentStore<ArchiveRecord>;
  readonly rules: DocumentStore<RuleRecord>;
  readonly names: Names;
  readonly runner: ReplayRunner;
  readonly owner: string;
  readonly now: () => number;
}

interface StartReplayInput {
  readonly ReplayName: string;
  readonly Description?: string;
  readonly EventSourceArn: string;
  readonly EventStartTime: Date;
  readonly EventEndTime: Date;
  readonly Destination: { readonly Arn: string; readonly FilterArns?: readonly string[] };
}

function summary(r: ReplayRecord) {
  const optional = (member: string, ms: number | undefined) => (ms === undefined ? {} : { [member]: new Date(ms) });
  return {
    ReplayName: r.ReplayName, EventSourceArn: r.EventSourceArn, State: r.State,
    ...(r.StateReason !== undefined ? { StateReason: r.StateReason } : {}),
    EventStartTime: new Date(r.EventStartTime), EventEndTime: new Date(r.EventEndTime),
    ...optional("EventLastReplayedTime", r.EventLastReplayedTime),
    ReplayStartTime: new Date(r.ReplayStartTime),
    ...optional("ReplayEndTime", r.ReplayEndTime),
  };
}

export function replayOperations(deps: ReplayDeps) {
  const { replays, names } = deps;
  const requireReplay = async (name: string): Promise<ReplayRecord> => {
    const replay = await replays.get(name);
    if (!replay) throw new UnkaiError("ResourceNotFoundException", `Replay ${name} does not exist.`);
    return replay;
  };
  /** Each FilterArns entry must be a rule of the destination bus that exists. */
  const checkFilters = async (bus: string, filters: readonly string[]) => {
    for (const arn of filters) {
      const rule = (await deps.rules.list()).find((r) => r.Arn === arn);
      if (rule?.EventBusName === bus) continue;
      const onBus = arn.startsWith(names.ruleArn(bus, ""));
      if (!onBus) throw new UnkaiError("ValidationException", `Parameter Destination.FilterArns is not valid. Reason: ${arn} is not the ARN of a rule of event bus ${bus}.`);
      throw new UnkaiError("ResourceNotFoundException", `Rule ${arn.slice(names.ruleArn(bus, "").length)} does not exist on EventBus ${bus}.`);
    }
  };

  return {
    async StartReplay(input: StartReplayInput) {
      const bus = names.ownBusOfArn(input.Destination.Arn);
      if (bus === undefined) throw new UnkaiError("ValidationException", "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.");
      const archiveName = names.archiveOfArn(input.EventSourceArn);
      const archive = archiveName === undefined ? undefined : await deps.archives.get(archiveName);
      if (!archive) {
        throw new UnkaiError("ValidationException", `Parameter EventSourceArn is not valid. Reason: Archive ${archiveName ?? input.EventSourceArn} does not exist.`);
      }
      if (archive.EventSourceArn !== input.Destination.Arn) {
        throw new UnkaiError("ValidationException", "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.");
      }
      const start = input.EventStartTime.getTime();
      const end = input.EventEndTime.getTime();
      if (!(start < end)) throw new UnkaiError("ValidationException", "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.");
      await checkFilters(bus, input.Destination.FilterArns ?? []);
      if (await replays.get(input.ReplayName)) throw new UnkaiError("ResourceAlreadyExistsException", `Replay ${input.ReplayName} already exists.`);
      const active = (await replays.list()).filter((r) => isActiveReplay(r.State)).length;
      if (active >= MAX_ACTIVE_REPLAYS) {
        throw new UnkaiError("LimitExceededException", `The account already has ${MAX_ACTIVE_REPLAYS} active replays (${ACTIVE_REPLAY_STATES.join(", ")}); wait for one to end or cancel one.`);
      }
      const replay: ReplayRecord = {
        ReplayName: input.ReplayName, ReplayArn: names.replayArn(input.ReplayName),
        ...(input.Description !== undefined ? { Description: input.Description } : {}),
        EventSourceArn: archive.ArchiveArn,
        Destination: { Arn: input.Destination.Arn, ...(input.Destination.FilterArns && input.Destination.FilterArns.length > 0 ? { FilterArns: [...input.Destination.FilterArns] } : {}) },
        EventStartTime: start, EventEndTime: end, State: "STARTING", ReplayStartTime: deps.now(), Owner: deps.owner,
      };
      await replays.put(replay.ReplayName, replay);
      deps.runner.run(replay.ReplayName);
      return { ReplayArn: replay.ReplayArn, State: replay.State, ReplayStartTime: new Date(replay.ReplayStartTime) };
    },
    async DescribeReplay(input: { ReplayName: string }) {
      const r = await requireReplay(input.ReplayName);
      return {
        ...summary(r), ReplayArn: r.ReplayArn,
        ...(r.Description !== undefined ? { Description: r.Description } : {}),
        Destination: { Arn: r.Destination.Arn, ...(r.Destination.FilterArns ? { FilterArns: [...r.Destination.FilterArns] } : {}) },
      };
    },
    async ListReplays(input: { NamePrefix?: string; State?: ReplayState; EventSourceArn?: string; NextToken?: string; Limit?: number }) {
      if ([input.NamePrefix, input.EventSourceArn, input.State].filter((f) => f !== undefined).length > 1) {
        throw new UnkaiError("ValidationException", "At most one filter is allowed for ListReplays. Use either : State, EventSourceArn, or NamePrefix.");
      }
      const all = (await replays.list()).filter((r) => r.ReplayName.startsWith(input.NamePrefix ?? "")
        && (input.EventSourceArn === undefined || r.EventSourceArn === input.EventSourceArn)
        && (input.State === undefined || r.State === input.State));
      const { items, next } = page(all, input.NextToken, input.Limit);
      return { Replays: items.map(summary), ...(next ? { NextToken: next } : {}) };
    },
    async CancelReplay(input: { ReplayName: string }) {
      const r = await requireReplay(input.ReplayName);
      if (r.State !== "STARTING" && r.State !== "RUNNING") {
        throw new UnkaiError("IllegalStatusException", `Replay ${r.ReplayName} is not in a valid state for this operation.`);
      }
      await replays.put(r.ReplayName, { ...r, State: "CANCELLING" });
      deps.runner.cancel(r.ReplayName);
      return { ReplayArn: r.ReplayArn, State: "CANCELLING" };
    },
  };
}

/** PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule, ListRuleNamesByTarget, PutTargets, RemoveTargets, ListTargetsByRule. */
import { UnkaiError } from "../../core/errors.js";
import { EVENTBRIDGE, EventPattern, PatternError, eventBridgeMessage } from "../../core/event-pattern/index.js";
import { inputSpecProblem } from "../../core/events/input.js";
import { parseJsonPath } from "../../core/events/json-path.js";
import { KINESIS_STREAM_ARN } from "../../core/kinesis.js";
import { ruleKey, type EventBusRecord, type RuleRecord, type RuleState, type Tag, type TargetRecord } from "../../core/events/resources.js";
import { EVENTBRIDGE_SCHEDULE_MESSAGE, ScheduleExpressionError, parseSchedule } from "../../core/schedule/index.js";
import type { DocumentStore } from "../../store/ports.js";
import { DEFAULT_BUS, type Names } from "./names.js";
import { page } from "./paging.js";

/** AWS's limit on targets per rule. */
const MAX_TARGETS = 5;

export interface RuleDeps {
  readonly rules: DocumentStore<RuleRecord>;
  readonly buses: DocumentStore<EventBusRecord>;
  readonly names: Names;
  readonly accountId: string;
  readonly now: () => number;
  /** The rule's schedule (or its absence) changed: re-time it. */
  readonly scheduleChanged: (rule: RuleRecord | undefined, key: string) => Promise<void>;
  /** Whether a target ARN is one Unkai delivers to (a function, a bus, or any ARN the destinations seam sends to). */
  readonly canDeliver: (arn: string) => boolean;
}

const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/** Why a target cannot be stored (a per-target FailedEntries error), or undefined. */
function targetProblem(target: TargetRecord, canDeliver: (arn: string) => boolean): string | undefined {
  if (!canDeliver(target.Arn)) {
    return `Target ${target.Arn} is not a target this Unkai delivers to: use a Lambda function, SQS queue, SNS topic, event bus or API destination ARN.`;
  }
  const deadLetter = target.DeadLetterConfig?.Arn;
  if (deadLetter !== undefined && !(SQS_ARN.test(deadLetter) && !deadLetter.endsWith(".fifo") && canDeliver(deadLetter))) {
    return `DeadLetterConfig.Arn ${deadLetter} is not valid: a dead-letter queue must be a standard SQS queue ARN.`;
  }
  return undefined;
}

interface RuleRef {
  readonly Name: string;
  readonly EventBusName?: string;
}

interface PutRuleInput extends RuleRef {
  readonly EventPattern?: string;
  readonly ScheduleExpression?: string;
  readonly State?: RuleState;
  readonly Description?: string;
  readonly RoleArn?: string;
  readonly Tags?: Tag[];
}

function describe(rule: RuleRecord): Record<string, unknown> {
  const { ScheduleAnchor: _anchor, Targets: _targets, Tags: _tags, ...shown } = rule;
  return shown;
}

/** Refuses a pattern the engine cannot compile with InvalidEventPatternException (rules and archives). */
export function checkPattern(pattern: string): void {
  try {
    EventPattern.compile(pattern, EVENTBRIDGE);
  } catch (error) {
    if (error instanceof PatternError) throw new UnkaiError("InvalidEventPatternException", eventBridgeMessage(error));
    throw error;
  }
}

export function ruleOperations(deps: RuleDeps) {
  const { rules, buses, names } = deps;

  const requireBus = async (busName: string | undefined): Promise<string> => {
    const bus = names.bus(busName);
    if (bus !== DEFAULT_BUS && !(await buses.get(bus))) throw new UnkaiError("ResourceNotFoundException", `Event bus ${bus} does not exist.`);
    return bus;
  };
  const requireRule = async (ref: RuleRef): Promise<RuleRecord> => {
    const bus = await requireBus(ref.EventBusName);
    const rule = await rules.get(ruleKey(bus, ref.Name));
    if (!rule) throw new UnkaiError("ResourceNotFoundException", `Rule ${ref.Name} does not exist on EventBus ${bus}.`);
    return rule;
  };
  const save = async (rule: RuleRecord, scheduleChanged: boolean): Promise<void> => {
    const key = ruleKey(rule.EventBusName, rule.Name);
    await rules.put(key, rule);
    if (scheduleChanged) await deps.scheduleChanged(rule, key);
  };

  return {
    async PutRule(input: PutRuleInput) {
      const bus = await requireBus(input.EventBusName);
      if (input.EventPattern === undefined && input.ScheduleExpression === undefined) {
        throw new UnkaiError("ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.");
      }
      if (input.EventPattern !== undefined) checkPattern(input.EventPattern);
      if (input.ScheduleExpression !== undefined) {
        if (bus !== DEFAULT_BUS) throw new UnkaiError("ValidationException", "ScheduleExpression is supported only on the default event bus.");
        try {
          parseSchedule(input.ScheduleExpression, { allowAt: false });
        } catch (error) {
          if (error instanceof ScheduleExpressionError) throw new UnkaiError("ValidationException", EVENTBRIDGE_SCHEDULE_MESSAGE);
          throw error;
        }
      }
      const existing = await rules.get(ruleKey(bus, input.Name));
      // Tags given to PutRule apply when it creates the rule; later ones go through TagResource.
      const tags = existing ? existing.Tags : input.Tags;
      const rule: RuleRecord = {
        Name: input.Name,
        Arn: names.ruleArn(bus, input.Name),
        EventBusName: bus,
        ...(input.EventPattern !== undefined ? { EventPattern: input.EventPattern } : {}),
        ...(input.ScheduleExpression !== undefined ? { ScheduleExpression: input.ScheduleExpression } : {}),
        State: input.State ?? "ENABLED",
        ...(input.Description !== undefined ? { Description: input.Description } : {}),
        ...(input.RoleArn !== undefined ? { RoleArn: input.RoleArn } : {}),
        CreatedBy: deps.accountId,
        ...(tags ? { Tags: tags } : {}),
        ScheduleAnchor: existing && existing.ScheduleExpression === input.ScheduleExpression ? existing.ScheduleAnchor : deps.now(),
        Targets: existing?.Targets ?? [],
      };
      await save(rule, true);
      return { RuleArn: rule.Arn };
    },
    async DescribeRule(input: RuleRef) {
      return describe(await requireRule(input));
    },
    async ListRules(input: { NamePrefix?: string; EventBusName?: string; NextToken?: string; Limit?: number }) {
      const bus = await requireBus(input.EventBusName);
      const all = (await rules.list()).filter((r) => r.EventBusName === bus && r.Name.startsWith(input.NamePrefix ?? ""));
      const { items, next } = page(all, input.NextToken, input.Limit);
      return { Rules: items.map(describe), ...(next ? { NextToken: next } : {}) };
    },
    async EnableRule(input: RuleRef) {
      await save({ ...(await requireRule(input)), State: "ENABLED" }, true);
    },
    async DisableRule(input: RuleRef) {
      await save({ ...(await requireRule(input)), State: "DISABLED" }, true);
    },
    async DeleteRule(input: RuleRef & { Force?: boolean }) {
      const bus = await requireBus(input.EventBusName);
      const key = ruleKey(bus, input.Name);
      const rule = await rules.get(key);
      if (!rule) return; // AWS: deleting a rule that does not exist succeeds
      if (rule.Targets.length > 0) throw new UnkaiError("ValidationException", "Rule can't be deleted since it has targets.");
      await rules.delete(key);
      await deps.scheduleChanged(undefined, key);
    },
    async ListRuleNamesByTarget(input: { TargetArn: string; EventBusName?: string; NextToken?: string; Limit?: number }) {
      const bus = await requireBus(input.EventBusName);
      const all = (await rules.list()).filter((r) => r.EventBusName === bus && r.Targets.some((t) => t.Arn === input.TargetArn)).map((r) => r.Name);
      const { items, next } = page(all, input.NextToken, input.Limit);
      return { RuleNames: items, ...(next ? { NextToken: next } : {}) };
    },
    async PutTargets(input: RuleRef & { Rule: string; Targets: TargetRecord[] }) {
      const rule = await requireRule({ Name: input.Rule, EventBusName: input.EventBusName });
      const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
      const byId = new Map(rule.Targets.map((t) => [t.Id, t]));
      for (const target of input.Targets) {
        const problem = inputSpecProblem(target);
        if (problem) throw new UnkaiError("ValidationException", problem);
        if (SQS_ARN.exec(target.Arn)?.[1] !== undefined && target.SqsParameters?.MessageGroupId === undefined) {
          throw new UnkaiError("ValidationException", `Parameter(s) SqsParameters must be specified for target: ${target.Id}.`);
        }
        if (KINESIS_STREAM_ARN.test(target.Arn)) {
          if (target.RoleArn === undefined) throw new UnkaiError("ValidationException", `RoleArn is required for target arn: ${target.Arn}.`);
          const path = target.KinesisParameters?.PartitionKeyPath;
          if (path !== undefined && !parseJsonPath(path)) throw new UnkaiError("ValidationException", `Parameter PartitionKeyPath is not valid: ${path}`);
        }
        const refused = targetProblem(target, deps.canDeliver);
        if (refused) {
          failed.push({ TargetId: target.Id, ErrorCode: "ValidationException", ErrorMessage: refused });
          continue;
        }
        byId.set(target.Id, target);
      }
      if (byId.size > MAX_TARGETS) throw new UnkaiError("LimitExceededException", "The requested resource exceeds the maximum number allowed.");
      await save({ ...rule, Targets: [...byId.values()] }, false);
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    async RemoveTargets(input: RuleRef & { Rule: string; Ids: string[]; Force?: boolean }) {
      const rule = await requireRule({ Name: input.Rule, EventBusName: input.EventBusName });
      const remove = new Set(input.Ids);
      await save({ ...rule, Targets: rule.Targets.filter((t) => !remove.has(t.Id)) }, false);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    async ListTargetsByRule(input: RuleRef & { Rule: string; NextToken?: string; Limit?: number }) {
      const rule = await requireRule({ Name: input.Rule, EventBusName: input.EventBusName });
      const { items, next } = page(rule.Targets, input.NextToken, input.Limit);
      return { Targets: items, ...(next ? { NextToken: next } : {}) };
    },
  };
}

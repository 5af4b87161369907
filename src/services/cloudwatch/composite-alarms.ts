/**
 * Composite alarms: PutCompositeAlarm (the rule parsed and checked: every alarm it names must exist, and
 * no chain of composite alarms may lead back to itself), and their evaluation after the metric alarms of
 * each round: ALARM while the rule holds, OK while it does not.
 */
import { UnkaiError } from "../../core/errors.js";
import type { AlarmState, StoredAlarm } from "./alarm-model.js";
import { AlarmRuleError, parseAlarmRule, ruleAlarms, ruleHolds } from "./alarm-rule.js";
import { checkTagCount, tagRecord } from "./resource-tags.js";
import { changeState, history, loadAlarms, type AlarmDeps } from "./alarms.js";
import { invalidValue } from "./parameters.js";

export interface PutCompositeAlarmInput {
  readonly AlarmName: string;
  readonly AlarmRule: string;
  readonly AlarmDescription?: string;
  readonly ActionsEnabled?: boolean;
  readonly AlarmActions?: readonly string[];
  readonly OKActions?: readonly string[];
  readonly InsufficientDataActions?: readonly string[];
  readonly Tags?: readonly { Key: string; Value: string }[];
}

const MAX_RULE_LENGTH = 10_240;
const MAX_RULE_ALARMS = 100;

/** Finds an alarm by the name or ARN a rule uses. */
const lookup = (all: readonly StoredAlarm[]) => {
  const by = new Map<string, StoredAlarm>();
  for (const a of all) {
    by.set(a.AlarmName, a);
    by.set(a.AlarmArn, a);
  }
  return by;
};

export async function putCompositeAlarm(deps: AlarmDeps, input: PutCompositeAlarmInput, arnOf: (name: string) => string, checkActions: (input: PutCompositeAlarmInput) => void): Promise<void> {
  if (input.AlarmRule.length > MAX_RULE_LENGTH) throw invalidValue(`The AlarmRule must be at most ${MAX_RULE_LENGTH} characters long.`);
  let names: string[];
  try {
    names = ruleAlarms(parseAlarmRule(input.AlarmRule));
  } catch (error) {
    if (error instanceof AlarmRuleError) throw new UnkaiError("ValidationError", `AlarmRule is not valid: ${error.message}.`);
    throw error;
  }
  if (new Set(names).size > MAX_RULE_ALARMS) throw invalidValue(`An AlarmRule may name at most ${MAX_RULE_ALARMS} alarms.`);
  checkActions(input);
  const created = checkTagCount(tagRecord(input.Tags));
  const all = await loadAlarms(deps.alarms);
  const by = lookup(all);
  const existing = by.get(input.AlarmName);
  if (existing && existing.AlarmRule === undefined) throw new UnkaiError("ValidationError", `Alarm ${input.AlarmName} is a metric alarm: a composite alarm cannot replace it.`);
  const missing = names.filter((n) => !by.has(n));
  if (missing.length > 0) throw new UnkaiError("ValidationError", `Could not save the composite alarm as alarms [${[...new Set(missing)].join(", ")}] in the alarm rule do not exist`);
  if (leadsBack(input.AlarmName, arnOf(input.AlarmName), names, by)) throw new UnkaiError("ValidationError", `Could not save the composite alarm: its rule leads back to ${input.AlarmName} itself.`);
  const now = Date.now();
  const alarm: StoredAlarm = {
    AlarmName: input.AlarmName, AlarmArn: arnOf(input.AlarmName), ...(input.AlarmDescription !== undefined ? { AlarmDescription: input.AlarmDescription } : {}),
    ActionsEnabled: input.ActionsEnabled ?? true, OKActions: input.OKActions ?? [], AlarmActions: input.AlarmActions ?? [], InsufficientDataActions: input.InsufficientDataActions ?? [],
    AlarmRule: input.AlarmRule,
    // A composite alarm watches no metric of its own.
    Namespace: "", MetricName: "", Dimensions: [], Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: 0, ComparisonOperator: "", TreatMissingData: "missing",
    configuredAt: now,
    StateValue: existing?.StateValue ?? "INSUFFICIENT_DATA", StateReason: existing?.StateReason ?? "Unchecked: Initial alarm creation",
    stateUpdatedAt: existing?.stateUpdatedAt ?? now, stateTransitionedAt: existing?.stateTransitionedAt ?? now,
    // Tags are given at creation only, as for metric alarms.
    tags: existing ? (existing.tags ?? {}) : created,
  };
  await deps.alarms.put({ name: alarm.AlarmName, document: JSON.stringify(alarm) });
  await history(deps, alarm, now, "ConfigurationUpdate", `Alarm "${alarm.AlarmName}" ${existing ? "updated" : "created"}`, { version: "1.0", type: existing ? "Update" : "Create" });
}

/** Whether following composite alarms from `names` reaches the alarm being saved. */
function leadsBack(name: string, arn: string, names: readonly string[], by: ReadonlyMap<string, StoredAlarm>): boolean {
  const seen = new Set<string>();
  const stack = [...names];
  while (stack.length > 0) {
    const next = stack.pop() ?? "";
    if (next === name || next === arn) return true;
    const alarm = by.get(next);
    if (!alarm?.AlarmRule || seen.has(alarm.AlarmName)) continue;
    seen.add(alarm.AlarmName);
    stack.push(...ruleAlarms(parseAlarmRule(alarm.AlarmRule)));
  }
  return false;
}

/**
 * One round over the composite alarms, after the metric alarms: each takes ALARM when its rule holds
 * over the current states and OK when it does not (composites that name composites see this round's
 * earlier changes). Resolves to how many changed state.
 */
export async function evaluateComposites(deps: AlarmDeps, now: number): Promise<number> {
  const all = await loadAlarms(deps.alarms);
  const by = lookup(all);
  let changed = 0;
  for (const alarm of all.filter((a) => a.AlarmRule !== undefined)) {
    let holds: boolean;
    try {
      holds = ruleHolds(parseAlarmRule(alarm.AlarmRule ?? ""), (ref) => by.get(ref)?.StateValue);
    } catch {
      continue;
    }
    const state: AlarmState = holds ? "ALARM" : "OK";
    if (state === alarm.StateValue) continue;
    const next = await changeState(deps, alarm, state, `The alarm rule evaluated to ${holds ? "TRUE" : "FALSE"}.`, undefined, now);
    by.set(next.AlarmName, next);
    by.set(next.AlarmArn, next);
    changed++;
  }
  return changed;
}

/**
 * CloudWatch alarms: every metric alarm with its state, the reason for it, what it watches and where it
 * notifies; turn an alarm's actions off or on, delete it, and show its recent history (state changes,
 * configuration updates, actions) — the last step of seed 003's log string → metric → alarm → SNS chain.
 */
import {
  DeleteAlarmsCommand, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, DisableAlarmActionsCommand, EnableAlarmActionsCommand,
} from "@aws-sdk/client-cloudwatch";
import { cloudwatch } from "../api.js";
import { errorBox, h, replace, runAction } from "../dom.js";

const OPERATORS = {
  GreaterThanOrEqualToThreshold: "≥", GreaterThanThreshold: ">", LessThanThreshold: "<", LessThanOrEqualToThreshold: "≤",
  LessThanLowerOrGreaterThanUpperThreshold: "outside band", LessThanLowerThreshold: "below band", GreaterThanUpperThreshold: "above band",
};

async function listAllAlarms() {
  const alarms = [];
  let NextToken;
  do {
    const page = await cloudwatch().send(new DescribeAlarmsCommand({ NextToken, MaxRecords: 100 }));
    alarms.push(...(page.MetricAlarms ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return alarms;
}

/** "Errors (AWS/Lambda, FunctionName=f) Sum ≥ 1 for 1 × 60 s". */
function condition(alarm) {
  const dimensions = (alarm.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(", ");
  const statistic = alarm.Statistic ?? alarm.ExtendedStatistic ?? "";
  return `${alarm.MetricName} (${alarm.Namespace}${dimensions ? `, ${dimensions}` : ""}) ${statistic} ${OPERATORS[alarm.ComparisonOperator] ?? alarm.ComparisonOperator} ${alarm.Threshold} for ${alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods} of ${alarm.EvaluationPeriods} × ${alarm.Period} s`;
}

const actionsOf = (alarm) => [
  ...(alarm.AlarmActions ?? []).map((a) => `ALARM → ${a}`),
  ...(alarm.OKActions ?? []).map((a) => `OK → ${a}`),
  ...(alarm.InsufficientDataActions ?? []).map((a) => `INSUFFICIENT_DATA → ${a}`),
];

export async function alarmsPage(container) {
  const errors = errorBox();
  const body = h("tbody");
  const history = h("div", { class: "card", id: "alarm-history", hidden: true });
  replace(container,
    h("div", { class: "page-head" }, h("h1", {}, "Alarms"), h("span", { class: "spacer" }), h("button", { id: "refresh-alarms", onclick: () => void load() }, "Refresh")),
    h("p", { class: "hint" }, "Create alarms with PutMetricAlarm (aws cloudwatch put-metric-alarm); Unkai evaluates them every --alarm-evaluation-interval-ms."),
    errors.el,
    h("table", { class: "list", id: "alarms-table" },
      h("thead", {}, h("tr", {}, ["Alarm", "State", "Reason", "Condition", "Actions", ""].map((c) => h("th", {}, c)))), body),
    history);

  const act = (work, done) => runAction(errors, work, load, done);

  async function showHistory(AlarmName) {
    try {
      const { AlarmHistoryItems = [] } = await cloudwatch().send(new DescribeAlarmHistoryCommand({ AlarmName, MaxRecords: 50 }));
      history.hidden = false;
      replace(history, h("h3", {}, `History of ${AlarmName}`),
        AlarmHistoryItems.length === 0 ? h("p", { class: "empty" }, "No history yet.") : h("table", { class: "list" },
          h("thead", {}, h("tr", {}, ["Time", "Type", "Summary"].map((c) => h("th", {}, c)))),
          h("tbody", {}, AlarmHistoryItems.map((item) => h("tr", {},
            h("td", { class: "mono" }, item.Timestamp?.toISOString() ?? ""), h("td", {}, item.HistoryItemType ?? ""), h("td", {}, item.HistorySummary ?? ""))))));
    } catch (error) {
      errors.show(error);
    }
  }

  async function load() {
    try {
      const alarms = (await listAllAlarms()).sort((a, b) => a.AlarmName.localeCompare(b.AlarmName));
      errors.clear();
      if (alarms.length === 0) return void replace(body, h("tr", {}, h("td", { colspan: 6, class: "empty" }, "No alarms yet.")));
      replace(body, alarms.map((alarm) => h("tr", { "data-alarm": alarm.AlarmName },
        h("td", {}, h("button", { class: "link", title: alarm.AlarmArn, onclick: () => void showHistory(alarm.AlarmName) }, alarm.AlarmName)),
        h("td", {}, h("span", { class: `state state-${alarm.StateValue}`, "data-state": alarm.StateValue }, alarm.StateValue)),
        h("td", {}, alarm.StateReason ?? ""),
        h("td", { class: "mono" }, condition(alarm)),
        h("td", { class: "mono" }, alarm.ActionsEnabled === false ? "(actions off) " : "", actionsOf(alarm).map((a) => h("div", {}, a))),
        h("td", {},
          alarm.ActionsEnabled === false
            ? h("button", { class: "link", onclick: () => void act(() => cloudwatch().send(new EnableAlarmActionsCommand({ AlarmNames: [alarm.AlarmName] })), `Actions on for ${alarm.AlarmName}.`) }, "Enable actions")
            : h("button", { class: "link", onclick: () => void act(() => cloudwatch().send(new DisableAlarmActionsCommand({ AlarmNames: [alarm.AlarmName] })), `Actions off for ${alarm.AlarmName}.`) }, "Disable actions"),
          " ",
          h("button", { class: "link danger", onclick: () => {
            if (confirm(`Delete alarm ${alarm.AlarmName}?`)) void act(() => cloudwatch().send(new DeleteAlarmsCommand({ AlarmNames: [alarm.AlarmName] })), `Deleted ${alarm.AlarmName}.`);
          } }, "Delete")))));
    } catch (error) {
      errors.show(error);
    }
  }

  await load();
}

/**
 * Schedules and rules: EventBridge rules on every event bus (schedule expression or event pattern, state,
 * targets) with enable, disable and delete; EventBridge Scheduler schedules (expression, time zone,
 * state, target); and a form that sends a custom event to a bus with PutEvents, showing what EventBridge
 * answered for it.
 */
import {
  DeleteRuleCommand, DisableRuleCommand, EnableRuleCommand, ListEventBusesCommand, ListRulesCommand, ListTargetsByRuleCommand,
  PutEventsCommand, RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { events, scheduler } from "../api.js";
import { errorBox, h, replace, runAction } from "../dom.js";
import { allPages } from "../triggers.js";

async function rulesWithTargets() {
  const buses = await allPages((p) => events().send(new ListEventBusesCommand({ ...p })), "EventBuses");
  const rules = [];
  for (const bus of buses) {
    for (const rule of await allPages((p) => events().send(new ListRulesCommand({ EventBusName: bus.Name, ...p })), "Rules")) {
      const targets = await allPages((p) => events().send(new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: bus.Name, ...p })), "Targets");
      rules.push({ rule, bus: bus.Name, targets });
    }
  }
  return { buses: buses.map((b) => b.Name), rules };
}

function ruleRow({ rule, bus, targets }, act) {
  const ref = { Name: rule.Name, EventBusName: bus };
  const enabled = rule.State === "ENABLED";
  return h("tr", { "data-rule": rule.Name },
    h("td", {}, rule.Name), h("td", {}, bus),
    h("td", { class: "mono" }, rule.ScheduleExpression ?? h("pre", { class: "message-body" }, rule.EventPattern ?? "")),
    h("td", {}, h("span", { "data-state": rule.State }, rule.State)),
    h("td", { class: "mono" }, targets.length ? targets.map((t) => h("div", { title: t.Id }, t.Arn)) : "(no targets)"),
    h("td", {},
      h("button", { class: "link", onclick: () => void act(() => events().send(enabled ? new DisableRuleCommand(ref) : new EnableRuleCommand(ref)), `${enabled ? "Disabled" : "Enabled"} ${rule.Name}.`) }, enabled ? "Disable" : "Enable"),
      " ",
      h("button", { class: "link danger", onclick: () => {
        if (!confirm(`Delete rule ${rule.Name} and its targets?`)) return;
        void act(async () => {
          if (targets.length) await events().send(new RemoveTargetsCommand({ Rule: rule.Name, EventBusName: bus, Ids: targets.map((t) => t.Id) }));
          await events().send(new DeleteRuleCommand(ref));
        }, `Deleted ${rule.Name}.`);
      } }, "Delete")));
}

function scheduleRow(schedule) {
  return h("tr", { "data-schedule": schedule.Name },
    h("td", {}, schedule.Name), h("td", {}, schedule.GroupName ?? "default"),
    h("td", {}, h("span", { "data-state": schedule.State }, schedule.State)),
    h("td", { class: "mono" }, schedule.Target?.Arn ?? ""));
}

/** The PutEvents form: one custom event to a chosen bus. */
function sendEventForm(busSelect, errors) {
  const source = h("input", { name: "event-source", "aria-label": "Source", placeholder: "my.app", required: true });
  const detailType = h("input", { name: "event-detail-type", "aria-label": "Detail type", placeholder: "Order Placed", required: true });
  const detail = h("textarea", { name: "event-detail", rows: 4, class: "mono", "aria-label": "Detail (JSON)" }, "{}");
  const result = h("span", { class: "hint", id: "put-events-result" });
  const send = async (event) => {
    event.preventDefault();
    try {
      const out = await events().send(new PutEventsCommand({ Entries: [{ EventBusName: busSelect.value, Source: source.value.trim(), DetailType: detailType.value.trim(), Detail: detail.value }] }));
      const entry = out.Entries?.[0] ?? {};
      replace(result, entry.EventId ? `Sent: event ${entry.EventId}.` : `Refused: ${entry.ErrorCode}: ${entry.ErrorMessage}`);
      errors.clear();
    } catch (error) {
      errors.show(error);
    }
  };
  return h("form", { class: "card form", id: "put-events", onsubmit: send },
    h("h3", {}, "Send an event"), h("label", {}, "Event bus", busSelect), source, detailType, detail,
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Send event"), result));
}

export async function rulesPage(container) {
  const errors = errorBox();
  const scheduleErrors = errorBox();
  const rulesBody = h("tbody");
  const schedulesBody = h("tbody");
  const busSelect = h("select", { name: "event-bus", "aria-label": "Event bus" });
  replace(container,
    h("div", { class: "page-head" }, h("h1", {}, "Schedules and rules"), h("span", { class: "spacer" }), h("button", { onclick: () => void load() }, "Refresh")),
    errors.el,
    h("div", { class: "card" }, h("h3", {}, "EventBridge rules"),
      h("table", { class: "list", id: "rules-table" },
        h("thead", {}, h("tr", {}, ["Rule", "Bus", "Schedule or pattern", "State", "Targets", ""].map((c) => h("th", {}, c)))), rulesBody)),
    h("div", { class: "card" }, h("h3", {}, "EventBridge Scheduler schedules"), scheduleErrors.el,
      h("table", { class: "list", id: "schedules-table" },
        h("thead", {}, h("tr", {}, ["Schedule", "Group", "State", "Target"].map((c) => h("th", {}, c)))), schedulesBody)),
    sendEventForm(busSelect, errors));

  const act = (work, done) => runAction(errors, work, load, done);

  async function load() {
    try {
      const { buses, rules } = await rulesWithTargets();
      errors.clear();
      const chosen = busSelect.value || "default";
      replace(busSelect, buses.map((name) => h("option", { value: name, selected: name === chosen }, name)));
      replace(rulesBody, rules.length ? rules.map((r) => ruleRow(r, act)) : h("tr", {}, h("td", { colspan: 6, class: "empty" }, "No rules yet (aws events put-rule).")));
    } catch (error) {
      errors.show(error);
    }
    try {
      const schedules = await allPages((p) => scheduler().send(new ListSchedulesCommand({ ...p })), "Schedules");
      scheduleErrors.clear();
      replace(schedulesBody, schedules.length ? schedules.map(scheduleRow) : h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No schedules yet (aws scheduler create-schedule).")));
    } catch (error) {
      scheduleErrors.show(error);
    }
  }

  await load();
}

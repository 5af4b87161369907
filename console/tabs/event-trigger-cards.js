/** The Triggers tab's event cards: event source mappings (with their state), rules and schedules, SNS topics. */
import { describeError, h } from "../dom.js";
import { addMapping, addScheduleTrigger, deleteMapping, setMappingEnabled } from "../event-triggers.js";

const table = (id, columns, rows) => h("table", { class: "list", id },
  h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)))), h("tbody", {}, rows));

/** The card's rows, or its error in place of the table when its list could not be read. */
const listed = (result, empty, rows) =>
  result.error ? h("div", { class: "error-box", role: "alert" }, describeError(result.error)) : result.value.length === 0 ? h("p", { class: "hint" }, empty) : rows(result.value);

const sourceName = (arn) => arn?.split(":").slice(5).join(":") ?? "";

/** `attempt(action)` runs a change and re-renders the tab (from triggers-tab.js). */
export function mappingsCard(name, mappings, attempt) {
  const source = h("input", { id: "mapping-source", placeholder: "SQS queue, DynamoDB stream or Kinesis stream ARN", "aria-label": "Event source ARN", size: 48, class: "mono" });
  const batch = h("input", { id: "mapping-batch", type: "number", min: 1, max: 10000, placeholder: "batch size", "aria-label": "Batch size" });
  const add = attempt(async () => {
    const created = await addMapping(name, source.value.trim(), batch.value ? Number(batch.value) : undefined);
    return `Created mapping ${created.UUID} (${created.State}).`;
  });
  const toggle = (m) => attempt(async () => {
    const enabled = m.State !== "Enabled" && m.State !== "Enabling";
    await setMappingEnabled(m.UUID, enabled);
    return `${enabled ? "Enabling" : "Disabling"} the mapping from ${sourceName(m.EventSourceArn)}.`;
  });
  const remove = (m) => attempt(async () => {
    if (!confirm(`Delete the mapping from ${sourceName(m.EventSourceArn)}?`)) return undefined;
    await deleteMapping(m.UUID);
    return "Deleting the mapping.";
  });
  return h("div", { class: "card" },
    h("h3", {}, "Event source mappings"),
    h("div", { class: "toolbar" }, source, batch, h("button", { class: "primary", id: "add-mapping", onclick: add }, "Add mapping")),
    listed(mappings, "No queue or stream is mapped to this function.", (list) =>
      table("event-source-mappings", ["Source", "State", "Batch size", "Last result", "Lag", "UUID", ""], list.map((m) =>
        h("tr", { "data-source": m.EventSourceArn, "data-uuid": m.UUID },
          h("td", { class: "mono", title: m.EventSourceArn }, sourceName(m.EventSourceArn)),
          h("td", {}, h("span", { "data-state": m.State }, m.State)),
          h("td", { class: "num" }, m.BatchSize ?? ""),
          h("td", {}, m.LastProcessingResult ?? "–"),
          h("td", { class: "lag" }, m.lag ?? "–"),
          h("td", { class: "mono" }, m.UUID),
          h("td", {},
            h("button", { class: "link", onclick: toggle(m) }, m.State === "Enabled" || m.State === "Enabling" ? "Disable" : "Enable"), " ",
            h("button", { class: "link danger", onclick: remove(m) }, "Delete")))))),
    h("p", { class: "hint" }, "A queue's messages or a stream's records invoke the function in batches; a disabled mapping keeps its position."));
}

/**
 * `mappings` and `subscriptions` are `{ value }` or `{ error }`; `sources` a list of them (rules, schedules).
 * "Add schedule" makes (or re-times) the EventBridge rule `<function>-schedule`, as a scheduled blueprint does.
 */
export function rulesCard(name, arn, sources, attempt) {
  const value = sources.flatMap((r) => r.value ?? []);
  const expression = h("input", { id: "schedule-expression", placeholder: "rate(5 minutes) or cron(0 9 * * ? *)", "aria-label": "Schedule expression", size: 32, class: "mono" });
  const add = attempt(async () => {
    const rule = await addScheduleTrigger(name, arn, expression.value.trim());
    return `The rule ${rule.name} runs this function on ${expression.value.trim()}.`;
  });
  return h("div", { class: "card" },
    h("h3", {}, "Schedules and rules"),
    h("div", { class: "toolbar" }, expression, h("button", { class: "primary", id: "add-schedule", onclick: add }, "Add schedule")),
    sources.filter((r) => r.error).map((r) => listed(r)),
    listed({ value }, "No EventBridge rule or Scheduler schedule targets this function.", (list) =>
      table("rule-triggers", ["Kind", "Name", "Bus or group", "Schedule or pattern", "State"], list.map((r) =>
        h("tr", { "data-rule": r.name },
          h("td", {}, r.kind), h("td", {}, r.name), h("td", {}, r.bus),
          h("td", { class: "mono" }, r.expression), h("td", {}, h("span", { "data-state": r.state }, r.state)))))),
    h("p", { class: "hint" }, h("a", { href: "#/rules" }, "Schedules and rules"), " lists every rule and schedule."));
}

export function topicsCard(subscriptions) {
  return h("div", { class: "card" },
    h("h3", {}, "SNS topics"),
    listed(subscriptions, "No SNS topic delivers to this function.", (list) =>
      table("topic-triggers", ["Topic", "Subscription"], list.map((s) =>
        h("tr", { "data-topic": s.TopicArn },
          h("td", {}, h("a", { href: `#/topics/${encodeURIComponent(s.TopicArn.split(":").pop())}` }, s.TopicArn.split(":").pop())),
          h("td", { class: "mono" }, s.SubscriptionArn))))));
}

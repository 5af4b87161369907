/**
 * Seed 003's alert from the Logs tab: select a fixed string in a log line, and a metric filter on the
 * function's log group counts every later line holding it (the pattern is the selection as a quoted
 * phrase, editable). TestMetricFilter shows which of the lines on screen it matches before it is saved.
 */
import { PutMetricFilterCommand, TestMetricFilterCommand } from "@aws-sdk/client-cloudwatch-logs";
import { logs } from "../api.js";
import { errorBox, h, replace, toast } from "../dom.js";

/** The selection as a filter pattern: a quoted phrase (inner quotes and backslashes escaped). */
const phrase = (text) => `"${text.trim().replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** `group` is the log group; `messages()` the log lines on screen (for the test). */
export function metricFilterCard(group, messages) {
  const errors = errorBox();
  const pattern = h("input", { id: "filter-pattern", class: "mono", size: 40, placeholder: "Select text in a log line, or type a pattern", "aria-label": "Filter pattern", required: true });
  const name = h("input", { id: "filter-metric-name", placeholder: "Metric name", "aria-label": "Metric name", required: true, pattern: "[^:*$]{1,255}" });
  const namespace = h("input", { id: "filter-metric-namespace", placeholder: "Namespace", "aria-label": "Metric namespace", required: true, value: "LogMetrics" });
  const result = h("span", { class: "hint", id: "filter-test-result" });
  const fromSelection = () => {
    const text = window.getSelection()?.toString() ?? "";
    if (!text.trim()) return void replace(result, "Select some text in a log line first.");
    pattern.value = phrase(text.split("\n")[0] ?? "");
    void test();
  };
  async function test() {
    const lines = messages().slice(-50);
    if (!pattern.value.trim() || lines.length === 0) return;
    try {
      const { matches = [] } = await logs().send(new TestMetricFilterCommand({ filterPattern: pattern.value, logEventMessages: lines }));
      errors.clear();
      replace(result, `Matches ${matches.length} of the last ${lines.length} lines on screen.`);
    } catch (error) {
      errors.show(error);
    }
  }
  async function save(event) {
    event.preventDefault();
    try {
      const filterName = `${name.value}-filter`;
      await logs().send(new PutMetricFilterCommand({
        logGroupName: group, filterName, filterPattern: pattern.value,
        metricTransformations: [{ metricName: name.value, metricNamespace: namespace.value, metricValue: "1", defaultValue: 0 }],
      }));
      errors.clear();
      toast(`Metric filter ${filterName} counts matching lines as ${namespace.value}/${name.value}. Alarm on it with PutMetricAlarm.`);
    } catch (error) {
      errors.show(error);
    }
  }
  pattern.addEventListener("change", () => void test());
  return h("form", { class: "card form", id: "metric-filter-form", onsubmit: save },
    h("h3", {}, "Count a log string (metric filter)"),
    h("div", { class: "toolbar" }, h("button", { type: "button", id: "use-selection", onclick: fromSelection }, "Use selected text"), pattern, result),
    h("div", { class: "toolbar" }, namespace, name, h("button", { class: "primary", type: "submit" }, "Create metric filter")),
    errors.el);
}

/**
 * The Logs tab: the function's log group through CloudWatch Logs, filtered by text and time, grouped by
 * request id, with live tail; and a metric filter made from text selected in a line.
 */
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { logs } from "../api.js";
import { errorBox, h, replace } from "../dom.js";
import { groupByRequest } from "../log-groups.js";
import { metricFilterCard } from "./metric-filter-card.js";

const RANGES = [["5", "5 minutes"], ["15", "15 minutes"], ["60", "1 hour"], ["180", "3 hours"], ["1440", "1 day"], ["10080", "7 days"]];
const MAX_EVENTS = 5000;

export async function logsTab(body, fn) {
  const group = `/aws/lambda/${fn.Configuration.FunctionName}`;
  const errors = errorBox();
  const range = h("select", { id: "log-range", "aria-label": "Time range" }, RANGES.map(([v, l]) => h("option", { value: v, selected: v === "60" }, `Last ${l}`)));
  const filter = h("input", { type: "search", id: "log-filter", placeholder: "Filter by text", "aria-label": "Filter by text" });
  const from = h("input", { type: "datetime-local", id: "log-from", "aria-label": "From", step: 1 });
  const to = h("input", { type: "datetime-local", id: "log-to", "aria-label": "To", step: 1 });
  const live = h("input", { type: "checkbox", id: "live-tail" });
  const list = h("div", { id: "log-groups" });
  let events = [];
  let timer;

  async function fetchSince(startTime, endTime) {
    const found = [];
    let nextToken;
    do {
      const page = await logs().send(new FilterLogEventsCommand({ logGroupName: group, startTime, endTime, filterPattern: filter.value.trim() || undefined, nextToken }));
      found.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken && found.length < MAX_EVENTS);
    return found;
  }

  async function reload() {
    errors.clear();
    try {
      // A From/To pair overrides the relative range.
      const start = from.value ? new Date(from.value).getTime() : Date.now() - Number(range.value) * 60_000;
      events = await fetchSince(start, to.value ? new Date(to.value).getTime() : undefined);
      render();
    } catch (error) {
      if (error.name === "ResourceNotFoundException") {
        events = [];
        render();
      } else errors.show(error);
    }
  }

  async function tail() {
    try {
      const last = events.at(-1)?.timestamp ?? Date.now() - 60_000;
      const seen = new Set(events.map((e) => e.eventId));
      const fresh = (await fetchSince(last)).filter((e) => !seen.has(e.eventId));
      if (fresh.length) {
        events.push(...fresh);
        render();
      }
    } catch (error) {
      if (error.name !== "ResourceNotFoundException") errors.show(error);
    }
  }

  function render() {
    const groups = groupByRequest(events);
    if (groups.length === 0) return replace(list, h("p", { class: "hint" }, "No log events in this range."));
    replace(list, groups.reverse().map((g) => h("details", { class: "invocation-log", open: true, "data-request-id": g.requestId ?? "" },
      h("summary", {}, g.requestId ? `${new Date(g.events[0].timestamp).toLocaleString()} · ${g.requestId}` : `${new Date(g.events[0].timestamp).toLocaleString()} · outside an invocation`,
        g.report ? h("span", { class: "hint" }, ` · ${g.report}`) : undefined),
      h("pre", { class: "log" }, g.events.map((e) => e.message.replace(/\n$/, "")).join("\n")))));
  }

  for (const input of [range, from, to]) input.addEventListener("change", () => void reload());
  filter.addEventListener("change", () => void reload());
  live.addEventListener("change", () => {
    clearInterval(timer);
    if (live.checked) timer = setInterval(() => void tail(), 2000);
  });
  replace(body, h("div", { class: "card" },
    h("div", { class: "toolbar" }, range, h("label", { class: "inline" }, "or from", from), h("label", { class: "inline" }, "to", to), filter,
      h("button", { onclick: () => void reload() }, "Refresh"),
      h("label", { class: "inline" }, live, "Live tail"), h("span", { class: "spacer" }), h("span", { class: "hint" }, `Log group ${group}`)),
    errors.el, list), metricFilterCard(group, () => events.map((e) => e.message.replace(/\n$/, ""))));
  await reload();
  return () => clearInterval(timer);
}

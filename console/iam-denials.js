/**
 * The IAM page's "Recent denials": the newest events of the decision log group `/unkai/iam/decisions`
 * (what `--iam enforce` refused and what `--iam audit` would have refused), read with the Logs API like any
 * log. Each node writes one stream a day, so the newest few streams (DescribeLogStreams by last event)
 * hold the newest events; GetLogEvents reads each from its end. Every field is shown as text.
 */
import { DescribeLogStreamsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { logs } from "./api.js";
import { describeError, h, replace } from "./dom.js";

export const DECISION_LOG_GROUP = "/unkai/iam/decisions";
const SHOWN = 50;
const STREAMS = 5;

async function newestEvents() {
  let streams;
  try {
    ({ logStreams: streams = [] } = await logs().send(new DescribeLogStreamsCommand({ logGroupName: DECISION_LOG_GROUP, orderBy: "LastEventTime", descending: true, limit: STREAMS })));
  } catch (error) {
    if (error?.name === "ResourceNotFoundException") return [];
    throw error;
  }
  const pages = await Promise.all(streams.map((s) => logs().send(new GetLogEventsCommand({
    logGroupName: DECISION_LOG_GROUP, logStreamName: s.logStreamName, startFromHead: false, limit: SHOWN,
  }))));
  return pages.flatMap((page) => page.events ?? []).sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0)).slice(0, SHOWN);
}

function parse(message) {
  try {
    const value = JSON.parse(message ?? "");
    return value && typeof value === "object" ? value : undefined;
  } catch {
    return undefined;
  }
}

const decisionText = (record) => {
  const kind = record.decision === "explicitDeny" ? "explicit deny" : "implicit deny";
  return record.mode === "audit" ? `would deny (audit, ${kind})` : kind;
};

function row(event) {
  const record = parse(event.message);
  const time = new Date(event.timestamp ?? 0).toLocaleString();
  if (!record || record.suppressed !== undefined) {
    return h("tr", { class: "denial-note" }, h("td", {}, time), h("td", { colspan: 6 }, record?.message ?? String(event.message ?? "")));
  }
  const statement = record.statement ? `${record.statement.policy}${record.statement.sid ? ` (${record.statement.sid})` : ""}` : "–";
  return h("tr", { class: "denial", "data-request-id": record.requestId ?? "", title: record.message ?? "" },
    h("td", {}, time), h("td", { class: "mono" }, record.principal ?? "–"), h("td", { class: "mono" }, record.action ?? "–"),
    h("td", { class: "mono" }, record.resource ?? "–"), h("td", {}, decisionText(record)), h("td", {}, statement),
    h("td", { class: "mono" }, [record.sourceIp, record.requestId].filter(Boolean).join(" · ") || "–"));
}

/**
 * The card and its loader: `load()` (re)reads the newest denials. A caller who may not read the group sees
 * the Logs API's error in the card, and the rest of the IAM page still loads.
 */
export function recentDenialsCard() {
  const body = h("tbody");
  const columns = ["Time", "Principal", "Action", "Resource", "Decision", "Statement", "Source IP · request id"];
  const load = async () => {
    try {
      const events = await newestEvents();
      replace(body, events.length ? events.map(row) : h("tr", {}, h("td", { colspan: 7, class: "empty" }, "No denials recorded.")));
    } catch (error) {
      replace(body, h("tr", {}, h("td", { colspan: 7, class: "error-box", role: "alert" }, describeError(error))));
    }
  };
  const el = h("div", { class: "card", id: "iam-denials" },
    h("h3", {}, "Recent denials"),
    h("p", { class: "hint" }, `What IAM refused (or, with --iam audit, would have refused), newest first: the log group ${DECISION_LOG_GROUP}.`),
    h("div", { class: "toolbar" }, h("button", { class: "link", id: "refresh-denials", onclick: () => void load() }, "Refresh")),
    h("table", { class: "list", id: "denials-table" }, h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)))), body));
  return { el, load };
}

/** The Test tab: saved test events (JSON, from templates), and Test — a synchronous invoke with its result, REPORT figures and log. */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { unkaiFetch, unkaiJson, lambda } from "../api.js";
import { createEditor, editorText, setEditorText } from "../editor.js";
import { EVENT_TEMPLATES } from "../event-templates.js";
import { errorBox, formatMs, h, replace, toast } from "../dom.js";

const EVENT_NAME = /^[A-Za-z0-9._-]{1,25}$/;

export async function testTab(body, fn) {
  const name = fn.Configuration.FunctionName;
  const base = `/_unkai/functions/${encodeURIComponent(name)}/test-events`;
  const errors = errorBox();
  let saved = (await unkaiJson(base)).testEvents;
  const savedSelect = h("select", { id: "saved-events", "aria-label": "Saved test events" });
  const template = h("select", { id: "event-template", "aria-label": "Template" }, Object.entries(EVENT_TEMPLATES).map(([id, t]) => h("option", { value: id }, t.title)));
  const eventName = h("input", { id: "event-name", placeholder: "MyEvent", maxlength: 25, "aria-label": "Event name" });
  const jsonState = h("span", { class: "hint", id: "json-state" });
  const editorHost = h("div", { class: "editor small", id: "event-editor" });
  const result = h("div", { id: "test-result" });
  const testButton = h("button", { class: "primary", id: "run-test", onclick: () => void run() }, "Test");
  const view = createEditor(editorHost, JSON.stringify(EVENT_TEMPLATES.hello.event, null, 2), "event.json", () => checkJson());

  const renderSaved = (selected) => {
    replace(savedSelect, h("option", { value: "" }, saved.length ? "— saved events —" : "no saved events"),
      saved.map((e) => h("option", { value: e.name }, e.name)));
    savedSelect.value = selected ?? "";
  };
  const checkJson = () => {
    try {
      JSON.parse(editorText(view));
      jsonState.textContent = "Valid JSON";
      jsonState.className = "hint good";
      return true;
    } catch (error) {
      jsonState.textContent = `Invalid JSON: ${error.message}`;
      jsonState.className = "hint bad";
      return false;
    }
  };
  savedSelect.addEventListener("change", () => {
    const event = saved.find((e) => e.name === savedSelect.value);
    if (!event) return;
    eventName.value = event.name;
    setEditorText(view, JSON.stringify(event.event, null, 2));
  });
  const fromTemplate = () => {
    setEditorText(view, JSON.stringify(EVENT_TEMPLATES[template.value].event, null, 2));
    savedSelect.value = "";
  };

  async function save() {
    errors.clear();
    if (!EVENT_NAME.test(eventName.value)) return errors.show(new Error("Event names are 1 to 25 letters, digits, dots, hyphens or underscores."));
    if (!checkJson()) return errors.show(new Error("The event is not valid JSON."));
    try {
      await unkaiJson(`${base}/${encodeURIComponent(eventName.value)}`, { method: "PUT", body: editorText(view) });
      saved = (await unkaiJson(base)).testEvents;
      renderSaved(eventName.value);
      toast(`Saved test event ${eventName.value}.`);
    } catch (error) {
      errors.show(error);
    }
  }

  async function remove() {
    if (!savedSelect.value) return errors.show(new Error("Choose a saved event to delete."));
    try {
      await unkaiFetch(`${base}/${encodeURIComponent(savedSelect.value)}`, { method: "DELETE" });
      saved = (await unkaiJson(base)).testEvents;
      renderSaved();
    } catch (error) {
      errors.show(error);
    }
  }

  async function run() {
    errors.clear();
    if (!checkJson()) return errors.show(new Error("The event is not valid JSON."));
    testButton.disabled = true;
    replace(result, h("p", { class: "hint" }, "Invoking…"));
    const started = performance.now();
    try {
      const out = await lambda().send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(editorText(view)), LogType: "Tail" }));
      showResult(result, out, performance.now() - started);
    } catch (error) {
      replace(result);
      errors.show(error);
    } finally {
      testButton.disabled = false;
    }
  }

  renderSaved();
  if (saved[0]) {
    // Open ready to Test: the first saved event (a blueprint's starter event, for instance).
    savedSelect.value = saved[0].name;
    savedSelect.dispatchEvent(new Event("change"));
  }
  checkJson();
  replace(body,
    h("div", { class: "card" },
      h("div", { class: "toolbar" }, h("label", { class: "inline" }, "Saved", savedSelect),
        h("label", { class: "inline" }, "Template", template), h("button", { id: "use-template", onclick: fromTemplate }, "Use template"),
        h("button", { id: "format-json", onclick: () => checkJson() && setEditorText(view, JSON.stringify(JSON.parse(editorText(view)), null, 2)) }, "Format JSON")),
      h("div", { class: "toolbar" }, h("label", { class: "inline" }, "Name", eventName),
        h("button", { id: "save-event", onclick: () => void save() }, "Save"),
        h("button", { class: "danger", onclick: () => void remove() }, "Delete"), h("span", { class: "spacer" }), jsonState, testButton),
      editorHost, errors.el),
    result);
  return () => view.destroy();
}

/** Lambda's REPORT line, parsed (the tail holds the last 4 KB of the log). */
function parseReport(log) {
  const line = log.split("\n").find((l) => l.startsWith("REPORT RequestId:"));
  if (!line) return undefined;
  const field = (label) => new RegExp(`${label}: ([\\d.]+)`).exec(line)?.[1];
  return {
    line,
    requestId: /RequestId: (\S+)/.exec(line)?.[1],
    duration: field("Duration"),
    billed: field("Billed Duration"),
    memorySize: field("Memory Size"),
    memoryUsed: field("Max Memory Used"),
    init: field("Init Duration"),
  };
}

function showResult(result, out, roundTripMs) {
  const log = out.LogResult ? atob(out.LogResult) : "";
  const payload = new TextDecoder().decode(out.Payload ?? new Uint8Array());
  let pretty = payload;
  try {
    pretty = JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    // not JSON: show as sent
  }
  const report = parseReport(log);
  const failed = Boolean(out.FunctionError);
  const facts = [
    ["Status", `${out.StatusCode}${failed ? ` (${out.FunctionError})` : ""}`],
    ["Duration", report ? `${report.duration} ms` : "–"],
    ["Billed duration", report ? `${report.billed} ms` : "–"],
    ["Memory", report ? `${report.memoryUsed} MB used of ${report.memorySize} MB` : "–"],
    ["Start", report?.init ? `Cold (init ${report.init} ms)` : "Warm"],
    ["Request ID", report?.requestId ?? "–"],
    ["Round trip", formatMs(roundTripMs)],
  ];
  replace(result, h("div", { class: `card result ${failed ? "failed" : "succeeded"}`, "data-status": failed ? "failed" : "succeeded" },
    h("h3", {}, failed ? "Execution result: failed" : "Execution result: succeeded"),
    h("dl", { class: "facts-grid" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", { "data-fact": k }, v)])),
    h("h4", {}, "Response"), h("pre", { class: "payload", id: "result-payload" }, pretty),
    h("h4", {}, "Log output"), h("pre", { class: "log", id: "result-log" }, log || "(no log output)")));
}

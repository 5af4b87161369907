/** Create a function: from scratch, from a blueprint, or from an uploaded zip. */
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import { events, lambda, unkaiFetch } from "../api.js";
import { BLUEPRINTS, RUNTIMES, scratchFor } from "../blueprints.js";
import { EVENT_TEMPLATES } from "../event-templates.js";
import { errorBox, h, replace, toast } from "../dom.js";
import { executionRoleChooser } from "../execution-role.js";
import { wireSchedule } from "../schedule-wiring.js";

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export async function createPage(container) {
  const errors = errorBox();
  const mode = h("div", { class: "choices", role: "radiogroup" });
  const name = h("input", { name: "functionName", required: true, pattern: NAME.source, placeholder: "my-function", maxlength: 64 });
  const runtime = h("select", { name: "runtime" }, RUNTIMES.map((r) => h("option", { value: r }, r)));
  const blueprint = h("select", { name: "blueprint" }, BLUEPRINTS.map((b) => h("option", { value: b.id }, `${b.title} — ${b.runtime}`)));
  const handler = h("input", { name: "handler", value: "index.handler", required: true });
  const zipFile = h("input", { name: "zip", type: "file", accept: ".zip,application/zip" });
  const role = executionRoleChooser();
  const submit = h("button", { type: "submit", class: "primary" }, "Create function");
  const blueprintHint = h("span", { class: "hint" });
  const describeBlueprint = () => {
    const b = BLUEPRINTS.find((x) => x.id === blueprint.value);
    blueprintHint.textContent = b ? `${b.description} Handler ${b.handler}; comes with a test event.` : "";
  };
  blueprint.addEventListener("change", describeBlueprint);
  describeBlueprint();
  const rows = {
    runtime: h("label", {}, "Runtime", runtime),
    blueprint: h("label", {}, "Blueprint", blueprint, blueprintHint),
    handler: h("label", {}, "Handler", handler),
    zip: h("label", {}, "Deployment package (.zip)", zipFile),
  };
  let chosen = "blueprint";
  const show = () => {
    rows.runtime.hidden = chosen === "blueprint";
    rows.blueprint.hidden = chosen !== "blueprint";
    rows.handler.hidden = chosen !== "zip";
    rows.zip.hidden = chosen !== "zip";
  };
  for (const [value, label] of [["scratch", "Author from scratch"], ["blueprint", "Use a blueprint"], ["zip", "Upload a .zip file"]]) {
    mode.append(h("label", { class: "choice" }, h("input", { type: "radio", name: "mode", value, checked: value === chosen, onchange: () => { chosen = value; show(); } }), label));
  }
  show();

  const form = h("form", { class: "card form", onsubmit: (event) => { event.preventDefault(); void create(); } },
    mode, h("label", {}, "Function name", name), rows.blueprint, rows.runtime, rows.handler, rows.zip,
    h("details", {}, h("summary", {}, "Execution role"), role.el),
    errors.el, h("div", { class: "actions" }, h("a", { class: "button", href: "#/functions" }, "Cancel"), submit));
  replace(container, h("div", { class: "page-head" }, h("h1", {}, "Create function")), form);

  async function create() {
    errors.clear();
    if (!NAME.test(name.value)) return errors.show(new Error("Function names are 1 to 64 letters, digits, hyphens or underscores."));
    let input;
    let template;
    if (chosen === "zip") {
      const file = zipFile.files?.[0];
      if (!file) return errors.show(new Error("Choose a .zip file to upload."));
      input = { Runtime: runtime.value, Handler: handler.value, ZipFile: new Uint8Array(await file.arrayBuffer()) };
    } else {
      const source = chosen === "blueprint" ? BLUEPRINTS.find((b) => b.id === blueprint.value) : scratchFor(runtime.value);
      if (!source) return errors.show(new Error(`There is no scratch template for ${runtime.value}: upload a .zip with an executable bootstrap instead.`));
      const files = Object.fromEntries(Object.entries(source.files).map(([path, text]) => [path, strToU8(text)]));
      input = { Runtime: source.runtime ?? runtime.value, Handler: source.handler, ZipFile: zipSync(files) };
      template = source.testTemplate ?? "hello";
    }
    submit.disabled = true;
    try {
      const roleArn = await role.resolve(name.value);
      const created = await lambda().send(new CreateFunctionCommand({
        FunctionName: name.value, Role: roleArn, Runtime: input.Runtime, Handler: input.Handler, Code: { ZipFile: input.ZipFile },
        Description: chosen === "blueprint" ? `From the blueprint "${BLUEPRINTS.find((b) => b.id === blueprint.value)?.title}"` : undefined,
      }));
      if (template) await saveStarterEvent(name.value, template);
      const schedule = chosen === "blueprint" ? BLUEPRINTS.find((b) => b.id === blueprint.value)?.schedule : undefined;
      if (schedule) {
        const rule = await wireSchedule({ events: events(), lambda: lambda() }, name.value, created.FunctionArn, schedule);
        toast(`Created ${name.value}; rule ${rule.name} runs it ${schedule}.`);
      } else toast(`Created ${name.value}.`);
      location.hash = `#/functions/${encodeURIComponent(name.value)}/code`;
    } catch (error) {
      errors.show(error);
    } finally {
      submit.disabled = false;
    }
  }
}

/** A blueprint brings its matching test event, so Test works at once. */
async function saveStarterEvent(functionName, templateId) {
  const template = EVENT_TEMPLATES[templateId];
  if (!template) return;
  try {
    await unkaiFetch(`/_unkai/functions/${encodeURIComponent(functionName)}/test-events/${templateId}`, { method: "PUT", body: JSON.stringify(template.event, null, 2) });
  } catch {
    // The function exists; a missing starter event is no reason to fail its creation.
  }
}

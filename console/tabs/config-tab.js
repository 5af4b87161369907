/** The Configuration tab: description, memory, timeout, ephemeral storage, environment variables, reserved concurrency. */
import {
  DeleteFunctionConcurrencyCommand, GetFunctionConcurrencyCommand, PutFunctionConcurrencyCommand, UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { lambda } from "../api.js";
import { errorBox, h, replace, toast } from "../dom.js";
import { asyncConfigCard } from "./async-config-card.js";

/** Lambda's rule for variable names (the API checks it too; this only answers sooner). */
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;

export async function configTab(body, fn, { showFacts }) {
  const c = fn.Configuration;
  const name = c.FunctionName;
  const errors = errorBox();
  const concurrency = await lambda().send(new GetFunctionConcurrencyCommand({ FunctionName: name }));
  const field = (label, input, hint) => h("label", {}, label, input, hint ? h("span", { class: "hint" }, hint) : undefined);
  const description = h("input", { name: "description", value: c.Description ?? "", maxlength: 256 });
  const memory = h("input", { name: "memory", type: "number", min: 128, max: 10_240, step: 1, value: c.MemorySize });
  const timeout = h("input", { name: "timeout", type: "number", min: 1, max: 900, step: 1, value: c.Timeout });
  const storage = h("input", { name: "ephemeral", type: "number", min: 512, max: 10_240, step: 1, value: c.EphemeralStorage?.Size ?? 512 });
  const reserved = h("input", { name: "reserved", type: "number", min: 0, step: 1, value: concurrency.ReservedConcurrentExecutions ?? "", placeholder: "unreserved" });
  const rows = h("tbody", { id: "env-rows" });
  const addRow = (key = "", value = "") => {
    const row = h("tr", {},
      h("td", {}, h("input", { class: "env-key", value: key, placeholder: "KEY", "aria-label": "Variable name" })),
      h("td", {}, h("input", { class: "env-value", value, placeholder: "value", "aria-label": "Variable value" })),
      h("td", {}, h("button", { type: "button", class: "link danger", onclick: () => row.remove() }, "Remove")));
    rows.append(row);
  };
  for (const [k, v] of Object.entries(c.Environment?.Variables ?? {})) addRow(k, v);

  const variables = () => {
    const result = {};
    for (const row of rows.querySelectorAll("tr")) {
      const key = row.querySelector(".env-key").value.trim();
      const value = row.querySelector(".env-value").value;
      if (!key && !value) continue;
      if (!ENV_KEY.test(key)) throw new Error(`Environment variable names start with a letter and hold only letters, digits and underscores (at least 2 characters): ${JSON.stringify(key)} does not.`);
      if (key in result) throw new Error(`The environment variable ${key} appears twice.`);
      result[key] = value;
    }
    return result;
  };

  async function save(event) {
    event.preventDefault();
    errors.clear();
    try {
      const updated = await lambda().send(new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        Description: description.value,
        MemorySize: Number(memory.value),
        Timeout: Number(timeout.value),
        EphemeralStorage: { Size: Number(storage.value) },
        Environment: { Variables: variables() },
      }));
      const want = reserved.value === "" ? undefined : Number(reserved.value);
      if (want !== concurrency.ReservedConcurrentExecutions) {
        if (want === undefined) await lambda().send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
        else await lambda().send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: want }));
        concurrency.ReservedConcurrentExecutions = want;
      }
      showFacts(updated);
      toast("Configuration saved.");
      replace(saved, `Saved at ${new Date().toLocaleTimeString()}.`);
    } catch (error) {
      errors.show(error);
    }
  }

  const saved = h("span", { class: "hint", id: "config-saved" });
  const asyncCard = await asyncConfigCard(name);
  replace(body, h("form", { class: "card form", id: "config-form", onsubmit: (e) => void save(e) },
    h("h3", {}, "General"),
    field("Description", description),
    h("div", { class: "row" },
      field("Memory (MB)", memory, "128 to 10,240"),
      field("Timeout (seconds)", timeout, "1 to 900"),
      field("Ephemeral storage /tmp (MB)", storage, "512 to 10,240"),
      field("Reserved concurrency", reserved, "empty: use the account's unreserved pool")),
    h("h3", {}, "Environment variables"),
    h("table", { class: "list env" }, h("thead", {}, h("tr", {}, h("th", {}, "Key"), h("th", {}, "Value"), h("th", {}))), rows),
    h("button", { type: "button", id: "add-variable", onclick: () => addRow() }, "Add environment variable"),
    errors.el,
    h("div", { class: "actions" }, saved, h("button", { type: "submit", class: "primary", id: "save-config" }, "Save"))),
    asyncCard);
}

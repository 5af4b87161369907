/** The functions list: runtime, memory, timeout, last modified, invocations and errors in the last hour; search; delete. */
import { DeleteFunctionCommand } from "@aws-sdk/client-lambda";
import { unkaiJson, lambda, listAllFunctions } from "../api.js";
import { errorBox, h, replace, toast } from "../dom.js";

export async function functionsPage(container) {
  const errors = errorBox();
  const search = h("input", { type: "search", placeholder: "Search functions", "aria-label": "Search functions", class: "search" });
  const body = h("tbody");
  const table = h("table", { class: "list", id: "functions-table" },
    h("thead", {}, h("tr", {}, ["Function", "Runtime", "Memory", "Timeout", "Last modified", "Invocations (1 h)", "Errors (1 h)", ""].map((c) => h("th", {}, c)))),
    body);
  replace(container,
    h("div", { class: "page-head" }, h("h1", {}, "Functions"), h("span", { class: "spacer" }), h("a", { class: "button primary", href: "#/create" }, "Create function")),
    errors.el, search, table);

  let functions = [];
  let counts = new Map();
  const render = () => {
    const term = search.value.trim().toLowerCase();
    const shown = functions.filter((f) => !term || f.FunctionName.toLowerCase().includes(term) || (f.Description ?? "").toLowerCase().includes(term));
    if (shown.length === 0) {
      replace(body, h("tr", {}, h("td", { colspan: 8, class: "empty" }, functions.length ? "No function matches." : "No functions yet: create one.")));
      return;
    }
    replace(body, shown.map((f) => {
      const c = counts.get(f.FunctionName) ?? { invocations: 0, errors: 0 };
      return h("tr", { "data-function": f.FunctionName },
        h("td", {}, h("a", { href: `#/functions/${encodeURIComponent(f.FunctionName)}/code` }, f.FunctionName), f.Description ? h("div", { class: "hint" }, f.Description) : undefined),
        h("td", {}, f.Runtime ?? "–"),
        h("td", {}, `${f.MemorySize} MB`),
        h("td", {}, `${f.Timeout} s`),
        h("td", {}, f.LastModified ? new Date(f.LastModified).toLocaleString() : "–"),
        h("td", { class: "num" }, String(c.invocations)),
        h("td", { class: c.errors > 0 ? "num bad" : "num" }, String(c.errors)),
        h("td", {}, h("button", { class: "link danger", onclick: () => void remove(f.FunctionName) }, "Delete")));
    }));
  };

  async function load() {
    try {
      const [list, summary] = await Promise.all([listAllFunctions(), unkaiJson("/_unkai/metrics/summary")]);
      functions = list.sort((a, b) => a.FunctionName.localeCompare(b.FunctionName));
      counts = new Map(summary.functions.map((c) => [c.functionName, c]));
      errors.clear();
      render();
    } catch (error) {
      errors.show(error);
    }
  }

  async function remove(name) {
    if (!confirm(`Delete function ${name}? Its code, versions and aliases go with it.`)) return;
    try {
      await lambda().send(new DeleteFunctionCommand({ FunctionName: name }));
      toast(`Deleted ${name}.`);
      await load();
    } catch (error) {
      errors.show(error);
    }
  }

  search.addEventListener("input", render);
  await load();
}

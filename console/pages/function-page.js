/** One function: its header and tabs (code, test, configuration, versions, triggers, logs, monitoring, permissions). */
import { GetFunctionCommand } from "@aws-sdk/client-lambda";
import { lambda } from "../api.js";
import { h, replace } from "../dom.js";
import { codeTab } from "../tabs/code-tab.js";
import { configTab } from "../tabs/config-tab.js";
import { logsTab } from "../tabs/logs-tab.js";
import { monitorTab } from "../tabs/monitor-tab.js";
import { permissionsTab } from "../tabs/permissions-tab.js";
import { testTab } from "../tabs/test-tab.js";
import { triggersTab } from "../tabs/triggers-tab.js";
import { versionsTab } from "../tabs/versions-tab.js";

const TABS = [
  ["code", "Code", codeTab],
  ["test", "Test", testTab],
  ["config", "Configuration", configTab],
  ["versions", "Versions and aliases", versionsTab],
  ["triggers", "Triggers", triggersTab],
  ["logs", "Logs", logsTab],
  ["monitor", "Monitoring", monitorTab],
  ["permissions", "Permissions", permissionsTab],
];

export async function functionPage(container, name, tabId) {
  const fn = await lambda().send(new GetFunctionCommand({ FunctionName: name }));
  const config = fn.Configuration;
  const tab = TABS.find(([id]) => id === tabId) ?? TABS[0];
  const body = h("section", { class: "tab-body", "data-tab": tab[0] });
  const facts = h("div", { class: "facts", id: "function-facts" });
  /** Tabs that change the configuration call this with the API's answer. */
  const showFacts = (c) => replace(facts,
    h("span", {}, c.Runtime ?? "container"), h("span", {}, `${c.MemorySize} MB`), h("span", {}, `${c.Timeout} s`),
    h("span", { title: c.FunctionArn }, c.FunctionArn));
  showFacts(config);
  replace(container,
    h("div", { class: "page-head" },
      h("div", {},
        h("div", { class: "crumbs" }, h("a", { href: "#/functions" }, "Functions"), " / "),
        h("h1", {}, name)),
      h("span", { class: "spacer" }),
      facts),
    h("nav", { class: "tabs", role: "tablist" }, TABS.map(([id, label]) =>
      h("a", { href: `#/functions/${encodeURIComponent(name)}/${id}`, role: "tab", "aria-selected": id === tab[0] ? "true" : "false", class: id === tab[0] ? "active" : undefined }, label))),
    body);
  return tab[2](body, fn, { showFacts });
}

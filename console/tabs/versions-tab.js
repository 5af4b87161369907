/** Versions and aliases: publish a version, create an alias (optionally splitting traffic with a second version), delete one. */
import {
  CreateAliasCommand, DeleteAliasCommand, ListAliasesCommand, ListVersionsByFunctionCommand, PublishVersionCommand,
} from "@aws-sdk/client-lambda";
import { lambda } from "../api.js";
import { errorBox, h, replace, toast } from "../dom.js";

export async function versionsTab(body, fn) {
  const name = fn.Configuration.FunctionName;
  const errors = errorBox();
  const attempt = (action) => async () => {
    errors.clear();
    try {
      await action();
      await render();
    } catch (error) {
      errors.show(error);
    }
  };

  async function render() {
    const [versions, aliases] = await Promise.all([
      lambda().send(new ListVersionsByFunctionCommand({ FunctionName: name })),
      lambda().send(new ListAliasesCommand({ FunctionName: name })),
    ]);
    const numbers = (versions.Versions ?? []).map((v) => v.Version).filter((v) => v !== "$LATEST");
    const description = h("input", { id: "version-description", placeholder: "Version description", "aria-label": "Version description" });
    const aliasName = h("input", { id: "alias-name", placeholder: "live", "aria-label": "Alias name", pattern: "(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}" });
    const aliasVersion = h("select", { id: "alias-version", "aria-label": "Alias version" }, ["$LATEST", ...numbers].map((v) => h("option", { value: v, selected: v === numbers.at(-1) }, v)));
    const extraVersion = h("select", { id: "alias-extra-version", "aria-label": "Second version" }, h("option", { value: "" }, "no second version"), numbers.map((v) => h("option", { value: v }, v)));
    const extraWeight = h("input", { id: "alias-extra-weight", type: "number", min: 0, max: 100, value: 10, "aria-label": "Second version's share (%)" });

    const publish = attempt(async () => {
      const v = await lambda().send(new PublishVersionCommand({ FunctionName: name, Description: description.value || undefined }));
      toast(`Published version ${v.Version}.`);
    });
    const createAlias = attempt(async () => {
      const weights = extraVersion.value ? { [extraVersion.value]: Number(extraWeight.value) / 100 } : undefined;
      await lambda().send(new CreateAliasCommand({
        FunctionName: name, Name: aliasName.value, FunctionVersion: aliasVersion.value,
        RoutingConfig: weights ? { AdditionalVersionWeights: weights } : undefined,
      }));
      toast(`Created alias ${aliasName.value}.`);
    });
    const deleteAlias = (alias) => attempt(async () => {
      if (!confirm(`Delete alias ${alias}?`)) return;
      await lambda().send(new DeleteAliasCommand({ FunctionName: name, Name: alias }));
    });

    replace(body,
      errors.el,
      h("div", { class: "card" },
        h("h3", {}, "Versions"),
        h("div", { class: "toolbar" }, description, h("button", { class: "primary", id: "publish-version", onclick: publish }, "Publish new version")),
        h("table", { class: "list", id: "versions" }, h("thead", {}, h("tr", {}, ["Version", "Description", "Last modified", "Code SHA-256"].map((c) => h("th", {}, c)))),
          h("tbody", {}, (versions.Versions ?? []).map((v) => h("tr", { "data-version": v.Version }, h("td", {}, v.Version), h("td", {}, v.Description ?? ""),
            h("td", {}, v.LastModified ? new Date(v.LastModified).toLocaleString() : "–"), h("td", { class: "mono" }, (v.CodeSha256 ?? "").slice(0, 16))))))),
      h("div", { class: "card" },
        h("h3", {}, "Aliases"),
        h("div", { class: "toolbar" }, aliasName, h("label", { class: "inline" }, "→ version", aliasVersion),
          h("label", { class: "inline" }, "and", extraWeight, "% to", extraVersion),
          h("button", { class: "primary", id: "create-alias", onclick: createAlias }, "Create alias")),
        (aliases.Aliases ?? []).length === 0 ? h("p", { class: "hint" }, "No aliases yet.") :
          h("table", { class: "list", id: "aliases" }, h("thead", {}, h("tr", {}, ["Alias", "Version", "Weighted routing", "Description", ""].map((c) => h("th", {}, c)))),
            h("tbody", {}, aliases.Aliases.map((a) => h("tr", { "data-alias": a.Name }, h("td", {}, a.Name), h("td", {}, a.FunctionVersion),
              h("td", {}, Object.entries(a.RoutingConfig?.AdditionalVersionWeights ?? {}).map(([v, w]) => `${Math.round(w * 100)}% → ${v}`).join(", ") || "–"),
              h("td", {}, a.Description ?? ""),
              h("td", {}, h("button", { class: "link danger", onclick: deleteAlias(a.Name) }, "Delete")))))),
        h("p", { class: "hint" }, "Invoke an alias as name:alias; each version runs in its own environments.")));
  }
  await render();
}

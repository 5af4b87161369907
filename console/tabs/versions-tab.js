/** Versions, aliases and asynchronous invocation settings (read from the Lambda API; Publish makes a version). */
import {
  GetFunctionEventInvokeConfigCommand, ListAliasesCommand, ListVersionsByFunctionCommand, PublishVersionCommand,
} from "@aws-sdk/client-lambda";
import { lambda } from "../api.js";
import { errorBox, h, replace, toast } from "../dom.js";

export async function versionsTab(body, fn) {
  const name = fn.Configuration.FunctionName;
  const errors = errorBox();
  const render = async () => {
    const [versions, aliases, asyncConfig] = await Promise.all([
      lambda().send(new ListVersionsByFunctionCommand({ FunctionName: name })),
      lambda().send(new ListAliasesCommand({ FunctionName: name })),
      lambda().send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name })).catch((e) => (e.name === "ResourceNotFoundException" ? undefined : Promise.reject(e))),
    ]);
    const description = h("input", { placeholder: "Version description", "aria-label": "Version description" });
    replace(body,
      h("div", { class: "card" },
        h("h3", {}, "Versions"),
        h("div", { class: "toolbar" }, description, h("button", { class: "primary", onclick: async () => {
          try {
            const v = await lambda().send(new PublishVersionCommand({ FunctionName: name, Description: description.value || undefined }));
            toast(`Published version ${v.Version}.`);
            await render();
          } catch (error) {
            errors.show(error);
          }
        } }, "Publish new version")),
        errors.el,
        h("table", { class: "list" }, h("thead", {}, h("tr", {}, ["Version", "Description", "Last modified", "Code SHA-256"].map((c) => h("th", {}, c)))),
          h("tbody", {}, (versions.Versions ?? []).map((v) => h("tr", {}, h("td", {}, v.Version), h("td", {}, v.Description ?? ""),
            h("td", {}, v.LastModified ? new Date(v.LastModified).toLocaleString() : "–"), h("td", { class: "mono" }, (v.CodeSha256 ?? "").slice(0, 16))))))),
      h("div", { class: "card" },
        h("h3", {}, "Aliases"),
        (aliases.Aliases ?? []).length === 0 ? h("p", { class: "hint" }, "No aliases. Create them with the CLI: aws lambda create-alias.") :
          h("table", { class: "list" }, h("thead", {}, h("tr", {}, ["Alias", "Version", "Weighted routing", "Description"].map((c) => h("th", {}, c)))),
            h("tbody", {}, aliases.Aliases.map((a) => h("tr", {}, h("td", {}, a.Name), h("td", {}, a.FunctionVersion),
              h("td", {}, Object.entries(a.RoutingConfig?.AdditionalVersionWeights ?? {}).map(([v, w]) => `${Math.round(w * 100)}% → ${v}`).join(", ") || "–"),
              h("td", {}, a.Description ?? "")))))),
      h("div", { class: "card" },
        h("h3", {}, "Asynchronous invocation"),
        asyncConfig ? h("dl", { class: "facts-grid" },
          h("dt", {}, "Maximum retries"), h("dd", {}, String(asyncConfig.MaximumRetryAttempts ?? 2)),
          h("dt", {}, "Maximum event age"), h("dd", {}, `${asyncConfig.MaximumEventAgeInSeconds ?? 21_600} s`),
          h("dt", {}, "On success"), h("dd", {}, asyncConfig.DestinationConfig?.OnSuccess?.Destination ?? "–"),
          h("dt", {}, "On failure"), h("dd", {}, asyncConfig.DestinationConfig?.OnFailure?.Destination ?? "–"))
          : h("p", { class: "hint" }, "Defaults: 2 retries, events kept up to 6 hours, no destinations. Change them with aws lambda put-function-event-invoke-config.")));
  };
  await render();
}

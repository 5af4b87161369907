/** The asynchronous invocation card: retries, maximum event age and destinations (Put/DeleteFunctionEventInvokeConfig). */
import {
  DeleteFunctionEventInvokeConfigCommand, GetFunctionEventInvokeConfigCommand, PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { lambda } from "../api.js";
import { errorBox, h, replace, toast } from "../dom.js";

export async function asyncConfigCard(functionName) {
  const errors = errorBox();
  const current = await lambda().send(new GetFunctionEventInvokeConfigCommand({ FunctionName: functionName }))
    .catch((e) => (e.name === "ResourceNotFoundException" ? undefined : Promise.reject(e)));
  const retries = h("select", { id: "async-retries", "aria-label": "Retry attempts" }, [0, 1, 2].map((n) => h("option", { value: n, selected: (current?.MaximumRetryAttempts ?? 2) === n }, String(n))));
  const maxAge = h("input", { id: "async-max-age", type: "number", min: 60, max: 21_600, value: current?.MaximumEventAgeInSeconds ?? 21_600 });
  const onSuccess = h("input", { id: "async-on-success", placeholder: "arn:aws:lambda:…:function:name", value: current?.DestinationConfig?.OnSuccess?.Destination ?? "" });
  const onFailure = h("input", { id: "async-on-failure", placeholder: "arn:aws:lambda:…:function:name", value: current?.DestinationConfig?.OnFailure?.Destination ?? "" });
  const status = h("span", { class: "hint", id: "async-saved" }, current ? "" : "Using Lambda's defaults.");
  const destination = (input) => (input.value.trim() ? { Destination: input.value.trim() } : {});

  async function save(event) {
    event.preventDefault();
    errors.clear();
    try {
      await lambda().send(new PutFunctionEventInvokeConfigCommand({
        FunctionName: functionName,
        MaximumRetryAttempts: Number(retries.value),
        MaximumEventAgeInSeconds: Number(maxAge.value),
        DestinationConfig: { OnSuccess: destination(onSuccess), OnFailure: destination(onFailure) },
      }));
      replace(status, `Saved at ${new Date().toLocaleTimeString()}.`);
      toast("Asynchronous invocation settings saved.");
    } catch (error) {
      errors.show(error);
    }
  }

  async function reset() {
    errors.clear();
    try {
      await lambda().send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: functionName }));
      retries.value = "2";
      maxAge.value = "21600";
      onSuccess.value = "";
      onFailure.value = "";
      replace(status, "Using Lambda's defaults.");
    } catch (error) {
      errors.show(error);
    }
  }

  return h("form", { class: "card form", id: "async-config", onsubmit: (e) => void save(e) },
    h("h3", {}, "Asynchronous invocation"),
    h("div", { class: "row" },
      h("label", {}, "Retry attempts", retries),
      h("label", {}, "Maximum event age (seconds)", maxAge, h("span", { class: "hint" }, "60 to 21,600")),
      h("label", {}, "On success, send to", onSuccess),
      h("label", {}, "On failure, send to", onFailure)),
    h("p", { class: "hint" }, "Destinations are Lambda function ARNs on this Unkai."),
    errors.el,
    h("div", { class: "actions" }, status,
      current ? h("button", { type: "button", onclick: () => void reset() }, "Reset to defaults") : undefined,
      h("button", { type: "submit", class: "primary", id: "save-async" }, "Save")));
}

/**
 * Triggers: the function's URLs, the HTTP/REST API routes, the S3 buckets, its event source mappings, the
 * rules, schedules and SNS topics that invoke it; add or delete a URL, an S3 trigger or a mapping; add a schedule.
 */
import { describeError, h, replace, toast } from "../dom.js";
import { listMappings, listRules, listSchedules, listTopicSubscriptions } from "../event-triggers.js";
import { mappingsCard, rulesCard, topicsCard } from "./event-trigger-cards.js";
import {
  addFunctionUrl, addS3Trigger, deleteFunctionUrl, listApiRoutes, listFunctionUrls, listRestRoutes, listS3Triggers, removeS3Trigger, urlId,
} from "../triggers.js";

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const EVENTS = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"];

/** `{ value }` or `{ error }`: a card's list, or why it could not be read. */
const settled = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));

const table = (id, columns, rows) => h("table", { class: "list", id },
  h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)))), h("tbody", {}, rows));

export async function triggersTab(body, fn) {
  const name = fn.Configuration.FunctionName;
  const arn = fn.Configuration.FunctionArn;
  /** Runs a change, says how it went (errors in a toast with the AWS message) and shows the new state. */
  const attempt = (action) => async () => {
    try {
      const done = await action();
      if (done) toast(done);
      await render();
    } catch (error) {
      toast(describeError(error), "error");
    }
  };

  async function render() {
    // The event cards each show their own error: one service refusing (a key without SNS rights, say)
    // leaves the rest of the tab working.
    const [urls, http, rest, s3, mappings, rules, topics] = await Promise.all([
      listFunctionUrls(name), listApiRoutes(arn), listRestRoutes(arn), listS3Triggers(arn),
      settled(listMappings(name)), Promise.all([settled(listRules(arn)), settled(listSchedules(arn))]), settled(listTopicSubscriptions(arn)),
    ]);
    replace(body, urlCard(urls), s3Card(s3), mappingsCard(name, mappings, attempt), rulesCard(name, arn, rules, attempt), topicsCard(topics), apiCard([...http, ...rest]));
  }

  function urlCard(urls) {
    const auth = h("select", { id: "url-auth", "aria-label": "Auth type" }, ["NONE", "AWS_IAM"].map((t) => h("option", { value: t }, t)));
    const origins = h("input", { id: "url-origins", placeholder: "Allowed origins, comma-separated (optional)", "aria-label": "Allowed origins", size: 40 });
    const add = attempt(async () => {
      const list = origins.value.split(",").map((o) => o.trim()).filter(Boolean);
      const created = await addFunctionUrl(name, auth.value, list);
      return `Created ${created.FunctionUrl}`;
    });
    const remove = (config) => attempt(async () => {
      if (!confirm(`Delete the Function URL ${config.FunctionUrl}?`)) return undefined;
      await deleteFunctionUrl(name, config);
      return "Deleted the Function URL.";
    });
    return h("div", { class: "card" },
      h("h3", {}, "Function URL"),
      h("div", { class: "toolbar" }, h("label", { class: "inline" }, "Auth type", auth), origins,
        h("button", { class: "primary", id: "add-url", onclick: add }, "Add Function URL")),
      urls.length === 0 ? h("p", { class: "hint" }, "No Function URL.") :
        table("function-urls", ["URL", "Path-based address", "Auth type", "Invoke mode", "CORS origins", ""], urls.map((u) => {
          const pathBased = `${location.origin}/_aws/lambda-url/${urlId(u.FunctionUrl)}/`;
          return h("tr", { "data-url": u.FunctionUrl },
            h("td", {}, h("a", { href: u.FunctionUrl, target: "_blank", rel: "noopener", class: "mono" }, u.FunctionUrl)),
            h("td", {}, h("a", { href: pathBased, target: "_blank", rel: "noopener", class: "mono path-url" }, pathBased)),
            h("td", {}, u.AuthType), h("td", {}, u.InvokeMode ?? "BUFFERED"),
            h("td", {}, (u.Cors?.AllowOrigins ?? []).join(", ") || "–"),
            h("td", {}, h("button", { class: "link danger", onclick: remove(u) }, "Delete")));
        })),
      h("p", { class: "hint" }, "AWS_IAM URLs need SigV4-signed requests; browsers and curl resolve *.localhost names by themselves."));
  }

  function s3Card({ buckets, triggers }) {
    const bucket = h("input", { id: "s3-bucket", list: "s3-buckets", placeholder: "bucket name", "aria-label": "Bucket", pattern: BUCKET.source });
    const known = h("datalist", { id: "s3-buckets" }, buckets.map((b) => h("option", { value: b })));
    const events = EVENTS.map((e) => h("input", { type: "checkbox", class: "s3-event", value: e, checked: e === EVENTS[0] }));
    const prefix = h("input", { id: "s3-prefix", placeholder: "prefix (optional)", "aria-label": "Prefix" });
    const suffix = h("input", { id: "s3-suffix", placeholder: "suffix (optional)", "aria-label": "Suffix" });
    const add = attempt(async () => {
      const chosen = events.filter((e) => e.checked).map((e) => e.value);
      if (!BUCKET.test(bucket.value)) throw new Error("Bucket names are 3 to 63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit.");
      if (chosen.length === 0) throw new Error("Choose at least one event type.");
      const create = !buckets.includes(bucket.value);
      await addS3Trigger({ bucket: bucket.value, create, functionArn: arn, events: chosen, prefix: prefix.value, suffix: suffix.value });
      return `${create ? "Created bucket " + bucket.value + "; " : ""}${bucket.value} now invokes ${name}.`;
    });
    const remove = (t) => attempt(async () => {
      if (!confirm(`Remove the trigger ${t.id} from bucket ${t.bucket}?`)) return undefined;
      await removeS3Trigger(t.bucket, t.id);
      return `Removed the trigger from ${t.bucket}.`;
    });
    return h("div", { class: "card" },
      h("h3", {}, "S3 upload notifications"),
      h("div", { class: "toolbar" }, bucket, known,
        events.map((e) => h("label", { class: "inline" }, e, e.value)), prefix, suffix,
        h("button", { class: "primary", id: "add-s3-trigger", onclick: add }, "Add S3 trigger")),
      triggers.length === 0 ? h("p", { class: "hint" }, "No bucket notifies this function.") :
        table("s3-triggers", ["Bucket", "Events", "Prefix", "Suffix", "Id", ""], triggers.map((t) =>
          h("tr", { "data-bucket": t.bucket, "data-id": t.id },
            h("td", {}, t.bucket), h("td", {}, t.events.join(", ")), h("td", { class: "mono" }, t.prefix ?? "–"),
            h("td", { class: "mono" }, t.suffix ?? "–"), h("td", { class: "mono" }, t.id ?? ""),
            h("td", {}, h("button", { class: "link danger", onclick: remove(t) }, "Remove"))))),
      h("p", { class: "hint" }, "Pick a bucket or type a new name to create it. Other notifications on the bucket are kept."));
  }

  function apiCard(routes) {
    return h("div", { class: "card" },
      h("h3", {}, "API Gateway routes"),
      routes.length === 0 ? h("p", { class: "hint" }, "No HTTP or REST API route targets this function.") :
        table("api-routes", ["API", "Type", "Route", "Invoke URL", "Integration"], routes.map((r) =>
          h("tr", { "data-api": r.apiId, "data-route": r.routeKey },
            h("td", {}, `${r.apiName} (${r.apiId})`), h("td", {}, r.kind), h("td", { class: "mono" }, r.routeKey),
            h("td", {}, r.url ? h("a", { href: r.url, target: "_blank", rel: "noopener", class: "mono" }, r.url) : "not deployed to a stage"),
            h("td", { class: "mono" }, r.integrationUri)))),
      h("p", { class: "hint" }, "Create routes with API Gateway (for example aws apigatewayv2 create-api --target <function ARN>)."));
  }

  await render();
}

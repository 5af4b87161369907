/** The console's entry: a hash router over the functions list, the create page, a function's tabs, queues, tables, streams, topics, alarms, schedules and rules, and IAM. */
import { openCredentialsDialog } from "./credentials.js";
import { describeError, h, replace } from "./dom.js";
import { createPage } from "./pages/create-function.js";
import { functionPage } from "./pages/function-page.js";
import { functionsPage } from "./pages/functions-list.js";
import { queuePage, queuesPage } from "./pages/queues-page.js";
import { tablePage, tablesPage } from "./pages/tables-page.js";
import { streamPage, streamsPage } from "./pages/streams-page.js";
import { topicPage, topicsPage } from "./pages/topics-page.js";
import { alarmsPage } from "./pages/alarms-page.js";
import { rulesPage } from "./pages/rules-page.js";
import { iamPage } from "./pages/iam-page.js";

const app = document.getElementById("app");
let disposeCurrent;

async function route() {
  disposeCurrent?.();
  disposeCurrent = undefined;
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const container = h("div", { class: "page" });
  replace(app, container);
  try {
    if (parts[0] === "create") disposeCurrent = await createPage(container);
    else if (parts[0] === "functions" && parts[1]) disposeCurrent = await functionPage(container, parts[1], parts[2] ?? "code");
    else if (parts[0] === "queues") disposeCurrent = parts[1] ? await queuePage(container, parts[1]) : await queuesPage(container);
    else if (parts[0] === "tables") disposeCurrent = parts[1] ? await tablePage(container, parts[1]) : await tablesPage(container);
    else if (parts[0] === "streams") disposeCurrent = parts[1] ? await streamPage(container, parts[1]) : await streamsPage(container);
    else if (parts[0] === "topics") disposeCurrent = parts[1] ? await topicPage(container, parts[1]) : await topicsPage(container);
    else if (parts[0] === "alarms") disposeCurrent = await alarmsPage(container);
    else if (parts[0] === "rules") disposeCurrent = await rulesPage(container);
    else if (parts[0] === "iam") disposeCurrent = await iamPage(container, parts[1], parts[2]);
    else disposeCurrent = await functionsPage(container);
  } catch (error) {
    replace(container, h("div", { class: "error-box", role: "alert" }, describeError(error)));
  }
}

document.getElementById("credentials-button")?.addEventListener("click", () => openCredentialsDialog(() => void route()));
window.addEventListener("hashchange", () => void route());
void route();

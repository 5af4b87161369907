/**
 * DynamoDB tables: the list, create and delete; one table's page browses its items (scan, page by page),
 * queries by partition key, and edits an item as JSON (plain JSON through the document client, so numbers
 * are numbers and maps are objects).
 */
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, PutCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { documents } from "../api.js";
import { errorBox, h, replace, toast } from "../dom.js";

const PAGE_SIZE = 25;
const describe = async (TableName) => (await documents().send(new DescribeTableCommand({ TableName }))).Table;

async function listAllTables() {
  const names = [];
  let ExclusiveStartTableName;
  do {
    const page = await documents().send(new ListTablesCommand({ ExclusiveStartTableName }));
    names.push(...(page.TableNames ?? []));
    ExclusiveStartTableName = page.LastEvaluatedTableName;
  } while (ExclusiveStartTableName);
  return names;
}

/** The create form's key fields: a name and a scalar type (S or N). */
function keyFields(role, required) {
  const name = h("input", { name: `${role}-name`, "aria-label": `${role} key name`, placeholder: role === "partition" ? "id" : "(none)", required });
  const type = h("select", { name: `${role}-type`, "aria-label": `${role} key type` }, h("option", { value: "S" }, "String"), h("option", { value: "N" }, "Number"));
  return { name, type, el: h("label", {}, `${role === "partition" ? "Partition" : "Sort"} key`, h("span", { class: "row" }, name, type)) };
}

export async function tablesPage(container) {
  const errors = errorBox();
  const body = h("tbody");
  const tableName = h("input", { name: "table-name", "aria-label": "New table name", required: true, pattern: "[A-Za-z0-9_.\\-]{3,255}" });
  const partition = keyFields("partition", true);
  const sort = keyFields("sort", false);
  const create = async (event) => {
    event.preventDefault();
    const keys = [[partition, "HASH"], [sort, "RANGE"]].filter(([field]) => field.name.value.trim() !== "");
    try {
      await documents().send(new CreateTableCommand({
        TableName: tableName.value.trim(), BillingMode: "PAY_PER_REQUEST",
        KeySchema: keys.map(([field, KeyType]) => ({ AttributeName: field.name.value.trim(), KeyType })),
        AttributeDefinitions: keys.map(([field]) => ({ AttributeName: field.name.value.trim(), AttributeType: field.type.value })),
      }));
      toast(`Created ${tableName.value.trim()}.`);
      tableName.value = "";
      await load();
    } catch (error) {
      errors.show(error);
    }
  };
  replace(container,
    h("div", { class: "page-head" }, h("h1", {}, "Tables")),
    h("form", { class: "card form", id: "create-table", onsubmit: create },
      h("div", { class: "row" }, h("label", {}, "Table name", tableName), partition.el, sort.el),
      h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Create table"))),
    errors.el,
    h("table", { class: "list", id: "tables-table" },
      h("thead", {}, h("tr", {}, ["Table", "Keys", "Items (approx.)", "Status", ""].map((c) => h("th", {}, c)))), body));

  async function load() {
    try {
      const tables = await Promise.all((await listAllTables()).map(describe));
      errors.clear();
      if (tables.length === 0) return void replace(body, h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No tables yet: create one.")));
      replace(body, tables.map((t) => h("tr", { "data-table": t.TableName },
        h("td", {}, h("a", { href: `#/tables/${encodeURIComponent(t.TableName)}` }, t.TableName)),
        h("td", { class: "mono" }, t.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType === "HASH" ? "partition" : "sort"})`).join(", ")),
        h("td", { class: "num" }, String(t.ItemCount ?? 0)),
        h("td", {}, t.TableStatus),
        h("td", {}, h("button", { class: "link danger", onclick: () => void remove(t.TableName) }, "Delete")))));
    } catch (error) {
      errors.show(error);
    }
  }

  async function remove(TableName) {
    if (!confirm(`Delete table ${TableName} and all its items?`)) return;
    try {
      await documents().send(new DeleteTableCommand({ TableName }));
      toast(`Deleted ${TableName}.`);
      await load();
    } catch (error) {
      errors.show(error);
    }
  }

  await load();
}

export async function tablePage(container, TableName) {
  const table = await describe(TableName);
  const keys = table.KeySchema.map((k) => k.AttributeName);
  const [hashKey] = keys;
  const hashType = table.AttributeDefinitions.find((d) => d.AttributeName === hashKey)?.AttributeType;
  const errors = errorBox();
  const rows = h("tbody");
  const queryValue = h("input", { name: "query-value", "aria-label": `${hashKey} equals`, placeholder: `${hashKey} =` });
  const editor = h("textarea", { name: "item-json", rows: 10, class: "mono", "aria-label": "Item as JSON", spellcheck: "false" });
  const more = h("button", { id: "next-page", hidden: true }, "Next page");
  let lastKey;
  let lastRequest;

  const keyOf = (item) => Object.fromEntries(keys.map((k) => [k, item[k]]));
  const show = (items, append) => {
    const list = items.map((item) => h("tr", { "data-key": JSON.stringify(keyOf(item)) },
      h("td", { class: "mono" }, keys.map((k) => String(item[k])).join(" / ")),
      h("td", {}, h("pre", {}, JSON.stringify(item, null, 1))),
      h("td", {},
        h("button", { class: "link", onclick: () => { editor.value = JSON.stringify(item, null, 2); editor.focus(); } }, "Edit"), " ",
        h("button", { class: "link danger", onclick: () => void removeItem(item) }, "Delete"))));
    if (append) rows.append(...list);
    else replace(rows, list.length ? list : h("tr", {}, h("td", { colspan: 3, class: "empty" }, "No items.")));
  };
  const run = async (request, append = false) => {
    try {
      const page = await documents().send(request(append ? lastKey : undefined));
      lastRequest = request;
      lastKey = page.LastEvaluatedKey;
      more.hidden = lastKey === undefined;
      errors.clear();
      show(page.Items ?? [], append);
    } catch (error) {
      errors.show(error);
    }
  };
  const scan = () => run((ExclusiveStartKey) => new ScanCommand({ TableName, Limit: PAGE_SIZE, ExclusiveStartKey }));
  const query = (event) => {
    event.preventDefault();
    if (queryValue.value === "") return scan();
    const value = hashType === "N" ? Number(queryValue.value) : queryValue.value;
    return run((ExclusiveStartKey) => new QueryCommand({
      TableName, Limit: PAGE_SIZE, ExclusiveStartKey, KeyConditionExpression: "#k = :v", ExpressionAttributeNames: { "#k": hashKey }, ExpressionAttributeValues: { ":v": value },
    }));
  };
  const save = async (event) => {
    event.preventDefault();
    try {
      const Item = JSON.parse(editor.value);
      if (Item === null || typeof Item !== "object" || Array.isArray(Item)) throw new Error("An item is a JSON object with the table's key attributes.");
      await documents().send(new PutCommand({ TableName, Item }));
      toast("Item saved.");
      await run(lastRequest ?? ((ExclusiveStartKey) => new ScanCommand({ TableName, Limit: PAGE_SIZE, ExclusiveStartKey })));
    } catch (error) {
      errors.show(error);
    }
  };
  async function removeItem(item) {
    if (!confirm(`Delete item ${JSON.stringify(keyOf(item))}?`)) return;
    try {
      await documents().send(new DeleteCommand({ TableName, Key: keyOf(item) }));
      toast("Item deleted.");
      await run(lastRequest);
    } catch (error) {
      errors.show(error);
    }
  }
  more.addEventListener("click", () => void run(lastRequest, true));

  replace(container,
    h("div", { class: "page-head" },
      h("div", {}, h("div", { class: "crumbs" }, h("a", { href: "#/tables" }, "Tables"), " / "), h("h1", {}, TableName)),
      h("span", { class: "spacer" }),
      h("div", { class: "facts" }, keys.map((k, i) => h("span", {}, `${i === 0 ? "partition" : "sort"}: ${k}`)), h("span", { title: table.TableArn }, table.TableArn))),
    errors.el,
    h("form", { class: "toolbar", id: "query-items", onsubmit: query }, queryValue, h("button", { type: "submit" }, "Query"),
      h("button", { type: "button", onclick: () => void scan() }, "Scan"), h("span", { class: "hint" }, "Empty: scan the table.")),
    h("table", { class: "list", id: "items-table" }, h("thead", {}, h("tr", {}, ["Key", "Item", ""].map((c) => h("th", {}, c)))), rows),
    more,
    h("form", { class: "card form", id: "edit-item", onsubmit: save },
      h("h3", {}, "Create or replace an item"), editor, h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Save item"))));
  await scan();
}

/**
 * `unkai keys create|list|delete`: the access keys Unkai accepts. Works on the data directory
 * itself (whoever may read it holds every secret anyway), so it needs no key to create the first
 * one, and a running Unkai sees the change on its next request.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { newAccessKeyId, newSecretAccessKey } from "../../auth/access-keys.js";
import { sqliteAccessKeyStore } from "../../store/sqlite/access-key-store.js";
import { promised } from "../../store/sqlite/promised.js";
import { openDatabase } from "../../store/sqlite/database.js";
import { CliError, printJson, table, type Command } from "../output.js";

const USAGE = [
  "Usage: unkai keys create [--name NAME] [--data-dir DIR] [--json]",
  "       unkai keys list [--data-dir DIR] [--json]",
  "       unkai keys delete ACCESS_KEY_ID [--data-dir DIR]",
].join("\n");

export const keys: Command = {
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { "data-dir": { type: "string" }, name: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } },
    });
    const [verb, id] = positionals;
    if (values.help || !verb) return console.log(USAGE);
    if (!["create", "list", "delete"].includes(verb)) throw new CliError(`unknown keys command '${verb}'.`, USAGE);
    const dataDir = resolve(values["data-dir"] ?? process.env.UNKAI_DATA_DIR ?? ".unkai");
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = openDatabase(join(dataDir, "unkai.db"));
    try {
      const store = promised(sqliteAccessKeyStore(db));
      if (verb === "create") {
        const name = values.name ?? "default";
        if (!/^[\w.@+=,-]{1,64}$/.test(name)) throw new CliError(`key name '${name}' must be 1-64 letters, digits or _.@+=,-`);
        const record = { accessKeyId: newAccessKeyId("AKIA"), secretAccessKey: newSecretAccessKey(), name, createdAt: Date.now() };
        await store.add(record);
        if (values.json) return printJson({ AccessKeyId: record.accessKeyId, SecretAccessKey: record.secretAccessKey, Name: name });
        console.log(`AWS_ACCESS_KEY_ID=${record.accessKeyId}`);
        console.log(`AWS_SECRET_ACCESS_KEY=${record.secretAccessKey}`);
        console.error(`unkai: created key '${name}' in ${dataDir}; the default key 'test' no longer works.`);
        return;
      }
      if (verb === "list") {
        const all = (await store.list()).map((k) => ({ AccessKeyId: k.accessKeyId, Name: k.name, CreateDate: new Date(k.createdAt).toISOString() }));
        if (values.json) return printJson(all);
        if (all.length === 0) return console.log("No access keys: on loopback Unkai accepts the default key test/test.");
        return console.log(table([["ACCESS KEY ID", "NAME", "CREATED"], ...all.map((k) => [k.AccessKeyId, k.Name, k.CreateDate])]));
      }
      if (!id) throw new CliError("which key?", USAGE);
      if (!(await store.remove(id))) throw new CliError(`no access key ${id} in ${dataDir}.`, "List them with `unkai keys list`.");
      console.log(`Deleted access key ${id}.`);
    } finally {
      db.close();
    }
  },
};

/**
 * `unkai keys create|list|delete`: the access keys Unkai accepts. Works on the data directory
 * itself (whoever may read it holds every secret anyway), or on the PostgreSQL store `--store`
 * names, so it needs no key to create the first one, and a running Unkai sees the change on its
 * next request.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { newAccessKeyId, newSecretAccessKey } from "../../auth/access-keys.js";
import { sqliteAccessKeyStore } from "../../store/sqlite/access-key-store.js";
import { promised } from "../../store/sqlite/promised.js";
import { openDatabase } from "../../store/sqlite/database.js";
import { DEFAULT_LOG_POLICY } from "../../store/sqlite/index.js";
import { describeStore, isPostgresUrl } from "../../store/open-store.js";
import { openPostgresStore } from "../../store/postgres/index.js";
import type { AccessKeyStore } from "../../store/ports.js";
import { CliError, printJson, table, type Command } from "../output.js";

const USAGE = [
  "Usage: unkai keys create [--name NAME] [--data-dir DIR | --store postgres://…] [--json]",
  "       unkai keys list [--data-dir DIR | --store postgres://…] [--json]",
  "       unkai keys delete ACCESS_KEY_ID [--data-dir DIR | --store postgres://…]",
].join("\n");

/** The key store `--store` (or UNKAI_STORE) names, else the data directory's SQLite file; and where that is, for messages. */
async function openKeys(dataDirFlag: string | undefined, storeFlag: string | undefined): Promise<{ keys: AccessKeyStore; where: string; close: () => Promise<void> }> {
  const url = storeFlag ?? process.env.UNKAI_STORE ?? "";
  if (url !== "") {
    if (!isPostgresUrl(url)) throw new CliError("--store takes a PostgreSQL URL such as postgres://unkai@db.example:5432/unkai.", USAGE, 2);
    const store = await openPostgresStore({ url, logPolicy: DEFAULT_LOG_POLICY, maxConnections: 1 }, () => undefined).catch((error: unknown) => {
      throw new CliError(`could not open the PostgreSQL store at ${describeStore(url)}: ${(error as Error).message}`, undefined, 2);
    });
    return { keys: store.accessKeys, where: describeStore(url), close: () => store.close() };
  }
  const dataDir = resolve(dataDirFlag ?? process.env.UNKAI_DATA_DIR ?? ".unkai");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(join(dataDir, "unkai.db"));
  return { keys: promised(sqliteAccessKeyStore(db)), where: dataDir, close: async () => void db.close() };
}

export const keys: Command = {
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { "data-dir": { type: "string" }, store: { type: "string" }, name: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } },
    });
    const [verb, id] = positionals;
    if (values.help || !verb) return console.log(USAGE);
    if (!["create", "list", "delete"].includes(verb)) throw new CliError(`unknown keys command '${verb}'.`, USAGE);
    const { keys: store, where, close } = await openKeys(values["data-dir"], values.store);
    try {
      if (verb === "create") {
        const name = values.name ?? "default";
        if (!/^[\w.@+=,-]{1,64}$/.test(name)) throw new CliError(`key name '${name}' must be 1-64 letters, digits or _.@+=,-`);
        const record = { accessKeyId: newAccessKeyId("AKIA"), secretAccessKey: newSecretAccessKey(), name, createdAt: Date.now() };
        await store.add(record);
        if (values.json) return printJson({ AccessKeyId: record.accessKeyId, SecretAccessKey: record.secretAccessKey, Name: name });
        console.log(`AWS_ACCESS_KEY_ID=${record.accessKeyId}`);
        console.log(`AWS_SECRET_ACCESS_KEY=${record.secretAccessKey}`);
        console.error(`unkai: created key '${name}' in ${where}; the default key 'test' no longer works.`);
        return;
      }
      if (verb === "list") {
        // The account root's keys; IAM users' keys are listed by `aws iam list-access-keys`.
        const all = (await store.list()).filter((k) => k.userName === undefined).map((k) => ({ AccessKeyId: k.accessKeyId, Name: k.name, CreateDate: new Date(k.createdAt).toISOString() }));
        if (values.json) return printJson(all);
        if (all.length === 0) return console.log("No access keys: on loopback Unkai accepts the default key test/test.");
        return console.log(table([["ACCESS KEY ID", "NAME", "CREATED"], ...all.map((k) => [k.AccessKeyId, k.Name, k.CreateDate])]));
      }
      if (!id) throw new CliError("which key?", USAGE);
      if (!(await store.remove(id))) throw new CliError(`no access key ${id} in ${where}.`, "List them with `unkai keys list`.");
      console.log(`Deleted access key ${id}.`);
    } finally {
      await close();
    }
  },
};

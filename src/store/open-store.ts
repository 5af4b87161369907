/** Opens the backend `--store` names: the embedded SQLite file in the data directory (the default), or PostgreSQL. */
import { join } from "node:path";
import type { LogStorePolicy, Store } from "./ports.js";
import { openSqliteStore } from "./sqlite/index.js";

export interface StoreChoice {
  /** `--store`: empty for the embedded SQLite file, else a postgres:// URL. */
  readonly url: string;
  readonly dataDir: string;
  readonly logPolicy: LogStorePolicy;
  /** Other processes of this Unkai write the store too (DynamoDB's endpoint workers). */
  readonly otherProcesses?: boolean;
}

/** Whether `url` names a PostgreSQL database Unkai can open (what `--store` accepts besides empty). */
export function isPostgresUrl(url: string): boolean {
  if (!/^postgres(ql)?:\/\//.test(url)) return false;
  try {
    const parsed = new URL(url);
    return parsed.hostname !== "" || parsed.searchParams.has("host");
  } catch {
    return false;
  }
}

/** The store's URL fit for logs and messages: the password, if any, replaced. */
export function describeStore(url: string): string {
  if (url === "") return "embedded SQLite";
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://…";
  }
}

export async function openStore(choice: StoreChoice, onError: (error: unknown) => void): Promise<Store> {
  if (choice.url === "") return openSqliteStore(join(choice.dataDir, "unkai.db"), onError, choice.logPolicy, choice.otherProcesses === true);
  try {
    // Loaded only when asked for: the pg client and the PostgreSQL stores hold about 14 MB that an
    // embedded-SQLite server (the default) would otherwise carry all its life.
    const { openPostgresStore } = await import("./postgres/index.js");
    return await openPostgresStore({ url: choice.url, logPolicy: choice.logPolicy }, onError);
  } catch (error) {
    throw new Error(`Could not open the PostgreSQL store at ${describeStore(choice.url)}: ${(error as Error).message}`, { cause: error });
  }
}

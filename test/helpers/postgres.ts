/**
 * A throwaway PostgreSQL 15 (Debian's `postgresql` package, installed by scripts/install-test-deps.sh):
 * `initdb` into a temp dir as an unprivileged user (`nobody` when the tests run as root: PostgreSQL
 * refuses to run as root), listening on a free loopback port with its Unix socket in that dir.
 * `stop()` shuts it down and removes the dir; a test process that dies takes it along (pdeathsig,
 * and an exit hook), so no cluster outlives its test.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { whenFileExits } from "./file-exit.js";

export const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";
const NOBODY = 65534;
const SUPERUSER = "unkai";

export interface PostgresServer {
  readonly port: number;
  /** A connection URL for `database` on this server (as `--store` takes it). */
  url(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Drops a database, closing whatever is still connected to it. */
  dropDatabase(name: string): Promise<void>;
  /** Runs one statement on `database` (default `postgres`), for tests that set up, inspect or break things. */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  stop(): Promise<void>;
}

export function postgresAvailable(): boolean {
  return existsSync(join(POSTGRES_BIN, "initdb")) && existsSync(join(POSTGRES_BIN, "postgres"));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The command prefix that drops root to `nobody` (and asks the kernel to stop PostgreSQL if this process dies). */
function asUnprivileged(): string[] {
  if (process.getuid?.() !== 0) return [];
  return ["/usr/bin/setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--pdeathsig=SIGQUIT", "--"];
}

function run(command: string[], env: NodeJS.ProcessEnv): void {
  const [file = "", ...args] = command;
  const result = spawnSync(file, args, { env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed (${result.status}): ${result.stderr}${result.stdout}`);
}

async function waitReady(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${log()}`);
    const client = new pg.Client({ host: "127.0.0.1", port, user: SUPERUSER, database: "postgres" });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 60 s: ${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  if (!postgresAvailable()) throw new Error(`PostgreSQL 15 is not installed (${POSTGRES_BIN}): run scripts/install-test-deps.sh`);
  const dir = mkdtempSync(join(tmpdir(), "unkai-pg-"));
  const dataDir = join(dir, "data");
  const prefix = asUnprivileged();
  if (prefix.length > 0) chownSync(dir, NOBODY, NOBODY);
  chmodSync(dir, 0o700);
  const env = { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", HOME: dir };
  let child: ChildProcess | undefined;
  const killOnExit = () => {
    child?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run([...prefix, join(POSTGRES_BIN, "initdb"), "-D", dataDir, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], env);
    const port = await freePort();
    let log = "";
    // fsync off: a test cluster never needs to survive a power loss, and the machine is shared.
    const settings = ["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=32MB"];
    const [file = "", ...args] = [...prefix, join(POSTGRES_BIN, "postgres"), "-D", dataDir, "-p", String(port), "-h", "127.0.0.1", "-k", dir, ...settings];
    child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (log = (log + chunk).slice(-4000)));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (log = (log + chunk).slice(-4000)));
    whenFileExits(killOnExit);
    await waitReady(port, child, () => log);
    const running = child;
    const admin = new pg.Pool({ host: "127.0.0.1", port, user: SUPERUSER, database: "postgres", max: 2 });
    // An idle admin connection the server drops at shutdown emits an error; unheard, it ends the process.
    admin.on("error", () => undefined);
    const url = (database: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
    return {
      port,
      url,
      async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[], database = "postgres") {
        if (database === "postgres") return (await admin.query<R>(sql, params)).rows;
        const client = new pg.Client({ connectionString: url(database) });
        await client.connect();
        try {
          return (await client.query<R>(sql, params)).rows;
        } finally {
          await client.end();
        }
      },
      async createDatabase(name) {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        return url(name);
      },
      async dropDatabase(name) {
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      },
      async stop() {
        await admin.end().catch(() => undefined);
        if (running.exitCode === null) {
          const exited = new Promise((resolve) => running.once("exit", resolve));
          running.kill("SIGINT"); // fast shutdown: disconnects clients, no waiting for them
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
          if (running.exitCode === null) running.kill("SIGKILL");
        }
        process.removeListener("exit", killOnExit);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child?.kill("SIGKILL");
    process.removeListener("exit", killOnExit);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

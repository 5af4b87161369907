/**
 * The PostgreSQL connection pool, its transactions, and the numbered migrations (applied under an
 * advisory lock, so nodes starting together on one database migrate it once).
 */
import pg from "pg";
import { MIGRATIONS } from "./migrations.js";

/** Ties the migration lock to Unkai: any constant works, this one spells "unkai" in ASCII. */
const MIGRATION_LOCK = 0x756e6b6169;

const INT8_OID = 20;
const CONNECT_TIMEOUT_MS = 10_000;

/** int8 (COUNT, BIGINT columns) as a JavaScript number: every value Unkai stores is a count, a size or epoch ms, far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format: "text") =>
    oid === INT8_OID ? (value: string) => Number(value) : (pg.types.getTypeParser(oid, format) as (value: string) => unknown)) as pg.CustomTypesConfig["getTypeParser"],
};

/** What every PostgreSQL port is written against: one statement, or several in one transaction. */
export interface PgDb {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<pg.QueryResult<R>>;
  /** Runs `work` in a transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: PgTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A connection inside a transaction. */
export interface PgTx {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<pg.QueryResult<R>>;
}

export interface PgOptions {
  readonly connectionString: string;
  /** Connections this node keeps open at most. */
  readonly maxConnections: number;
}

export async function openPgDatabase(options: PgOptions): Promise<PgDb> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections,
    types,
    application_name: "unkai",
    // A server that never answers (a dropped packet, a firewall) fails the call instead of hanging it.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
  });
  // An idle connection that the server dropped (a restart, a failover) is replaced on next use; without
  // a listener, its error event would end the process.
  pool.on("error", () => undefined);
  const db: PgDb = {
    query: (sql, params) => pool.query(sql, params as unknown[] | undefined),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work({ query: (sql, params) => client.query(sql, params as unknown[] | undefined) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
  try {
    await migrate(db);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return db;
}

/** Applies the migrations this database has not had yet, all in one transaction (DDL is transactional here), recorded in unkai_migrations. */
async function migrate(db: PgDb): Promise<void> {
  await db.transaction(async (tx) => {
    // Transaction-scoped: released at commit, also if this node dies midway.
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query("CREATE TABLE IF NOT EXISTS unkai_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
    const { rows } = await tx.query<{ version: number | null }>("SELECT MAX(version) AS version FROM unkai_migrations");
    for (let version = rows[0]?.version ?? 0; version < MIGRATIONS.length; version++) {
      await tx.query(MIGRATIONS[version] ?? "");
      await tx.query("INSERT INTO unkai_migrations (version, applied_at) VALUES ($1, $2)", [version + 1, Date.now()]);
    }
  });
}

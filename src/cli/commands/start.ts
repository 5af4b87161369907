/** `unkai start`: runs the server in the foreground until SIGINT/SIGTERM. */
import { parseArgs } from "node:util";
import { pino } from "pino";
import { CONFIG_KEYS, kebab, loadConfig, type ConfigFlags } from "../../server/config.js";
import { startUnkai } from "../../server/unkai.js";
import { describeStore } from "../../store/open-store.js";
import { CliError, type Command } from "../output.js";
import { renameNotices } from "../rename-notice.js";

const options = Object.fromEntries(CONFIG_KEYS.map((key) => [kebab(key), { type: "string" as const }]));

export const start: Command = {
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { ...options, help: { type: "boolean" } }, strict: true });
    if (values.help) {
      console.log(`Usage: unkai start [${CONFIG_KEYS.map((k) => `--${kebab(k)} …`).join("] [")}]`);
      return;
    }
    const flags: ConfigFlags = {};
    for (const key of CONFIG_KEYS) {
      const value = (values as Record<string, unknown>)[kebab(key)];
      if (typeof value === "string") flags[key] = value;
    }
    let config;
    try {
      config = loadConfig(flags, process.env);
    } catch (error) {
      throw new CliError((error as Error).message, "Run `unkai start --help` for the settings.", 2);
    }
    for (const notice of renameNotices(process.env, process.cwd(), config.dataDir)) console.error(`unkai: WARNING: ${notice}`);
    const logger = pino({ level: config.logLevel, base: undefined }, pino.destination(2));
    const startedAt = performance.now();
    const unkai = await startUnkai(config, logger).catch((error: unknown) => {
      const e = error as NodeJS.ErrnoException;
      if (e.code === "EADDRINUSE") {
        const port = (e as NodeJS.ErrnoException & { port?: number }).port ?? config.port;
        throw new CliError(`port ${port} on ${config.host} is already in use.`, port === config.port ? "Stop the other server or pass --port." : "Stop the other server or pass --dynamodb-port.");
      }
      if (/sandbox driver|without access keys|The blob store|PostgreSQL store/.test(e.message)) throw new CliError(e.message, undefined, 2);
      throw error;
    });
    if (unkai.driver === "process") {
      console.error(`unkai: WARNING: sandbox driver 'process' (${unkai.driverReason}): functions run as plain processes with Unkai's own user and privileges, without filesystem, PID or network isolation from the host or each other.`);
    } else {
      console.error(`unkai: sandbox driver '${unkai.driver}' (${unkai.driverReason}).`);
    }
    console.log(`Unkai ready at ${unkai.url} (driver ${unkai.driver}, data ${config.dataDir}, store ${describeStore(config.store)}, started in ${Math.round(performance.now() - startedAt)} ms)`);
    if (unkai.dynamodb) console.log(`DynamoDB endpoint at ${unkai.dynamodb.url} (${config.dynamodbWorkers} worker process${config.dynamodbWorkers === 1 ? "" : "es"})`);

    let signals = 0;
    const stop = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        console.error(`unkai: second ${signal}; exiting now.`);
        process.exit(1);
      }
      console.error(`unkai: ${signal} received; draining in-flight invocations (up to ${config.drainTimeoutMs} ms)…`);
      unkai.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  },
};

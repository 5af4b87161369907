/**
 * The command registry: adding a command is one file and one line here. Commands load lazily so
 * `unkai start` does not pay for the AWS SDK clients the other commands use.
 */
import type { Command } from "../output.js";

interface Entry {
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const COMMANDS: Readonly<Record<string, Entry>> = {
  start: { summary: "Start Unkai (API on one port; --host, --port, --data-dir, …)", load: async () => (await import("./start.js")).start },
  deploy: { summary: "Deploy a unkai.json project (or one folder with --name)", load: async () => (await import("./deploy.js")).deploy },
  invoke: { summary: "Invoke a function and print its result", load: async () => (await import("./invoke.js")).invoke },
  logs: { summary: "Show a function's logs (--follow, --since 10m)", load: async () => (await import("./logs.js")).logs },
  ls: { summary: "List functions", load: async () => (await import("./ls.js")).ls },
  init: { summary: "Scaffold a unkai.json project (--runtime nodejs22.x|python3.12)", load: async () => (await import("./init.js")).init },
  rollback: { summary: "Move an alias back to the previous version", load: async () => (await import("./rollback.js")).rollback },
  doctor: { summary: "Show what this host supports (sandboxing, cgroups, interpreters); with --store, the cluster's nodes", load: async () => (await import("./doctor.js")).doctor },
  events: { summary: "Asynchronous events: failed, redrive, stats", load: async () => (await import("./events.js")).events },
  keys: { summary: "Access keys Unkai accepts: create, list, delete (on the data dir)", load: async () => (await import("./keys.js")).keys },
};

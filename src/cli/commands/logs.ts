/** `unkai logs <fn> [--follow] [--since 10m]`: a function's log lines from Unkai's log store. */
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { FilterLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { endpointOf, ENDPOINT_OPTION, explain, logsClient } from "../client.js";
import { resolveName } from "../project/names.js";
import { CliError, printJson, type Command } from "../output.js";

export const logs: Command = {
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...ENDPOINT_OPTION, follow: { type: "boolean", short: "f" }, since: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } },
    });
    if (values.help) {
      console.log("Usage: unkai logs <function> [--follow] [--since 10m|2h|1d|ISO-time] [--json]");
      return;
    }
    const name = positionals[0];
    if (!name) throw new CliError("which function?", "Example: unkai logs hello --since 1h");
    const endpoint = endpointOf(values.endpoint);
    const client = logsClient(endpoint);
    const logGroupName = `/aws/lambda/${resolveName(name)}`;
    const startTime = values.since ? parseSince(values.since) : undefined;
    let nextToken: string | undefined;
    let lastId = "";
    const seen: FilteredLogEvent[] = [];
    for (;;) {
      try {
        const page = await client.send(new FilterLogEventsCommand({ logGroupName, startTime, nextToken }));
        for (const event of page.events ?? []) {
          if (values.json) seen.push(event);
          else process.stdout.write(`${event.message ?? ""}\n`);
          lastId = event.eventId ?? lastId;
        }
        nextToken = page.nextToken ?? (lastId || undefined);
        if (page.nextToken) continue;
      } catch (error) {
        const e = error as { name?: string };
        if (e.name === "ResourceNotFoundException") {
          if (!values.follow) throw new CliError(`no logs for ${name} yet.`, `Invoke it first: unkai invoke ${name}`);
        } else explain(error, endpoint);
      }
      if (!values.follow) break;
      await sleep(1000);
    }
    if (values.json) printJson(seen);
  },
};

/** `10m`, `2h`, `1d`, `30s` ago, or an ISO time. */
export function parseSince(value: string): number {
  const match = /^(\d+)([smhd])$/.exec(value);
  if (match) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
    return Date.now() - Number(match[1]) * unit;
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new CliError(`--since '${value}' is neither a duration like 10m nor a time.`);
  return time;
}

/** `unkai events failed|redrive|stats`: the asynchronous queue, over Unkai's /_unkai endpoints. */
import { parseArgs } from "node:util";
import { endpointOf, ENDPOINT_OPTION, signedFetch } from "../client.js";
import { CliError, printJson, table, type Command } from "../output.js";

const USAGE = [
  "Usage: unkai events failed <function> [--json]",
  "       unkai events redrive <function> [--id REQUEST_ID …]",
  "       unkai events stats [--json]",
].join("\n");

async function call(endpoint: string, path: string, init?: { method: string; body: string }): Promise<unknown> {
  let response: Response;
  try {
    response = await signedFetch(endpoint, path, init);
  } catch {
    throw new CliError(`cannot reach Unkai at ${endpoint}.`, "Start it with `unkai start`, or pass --endpoint.");
  }
  const body = (await response.json()) as { message?: string };
  if (!response.ok) throw new CliError(body.message ?? `Unkai answered ${response.status}.`);
  return body;
}

interface Failed {
  id: string;
  attempts: number;
  condition: string;
  reason: string;
  failedAt: string;
}

interface Stats {
  functionName: string;
  queued: number;
  oldestAgeMs: number;
  inFlight: number;
  failed: number;
}

export const events: Command = {
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...ENDPOINT_OPTION, id: { type: "string", multiple: true }, json: { type: "boolean" }, help: { type: "boolean" } },
    });
    const [verb, name] = positionals;
    if (values.help || !verb) return console.log(USAGE);
    const endpoint = endpointOf(values.endpoint);
    if (verb === "stats") {
      const { functions } = (await call(endpoint, "/_unkai/events/stats")) as { functions: Stats[] };
      if (values.json) return printJson(functions);
      if (functions.length === 0) return console.log("No asynchronous events queued or failed.");
      return console.log(table([
        ["FUNCTION", "QUEUED", "OLDEST", "IN FLIGHT", "FAILED"],
        ...functions.map((f) => [f.functionName, String(f.queued), `${(f.oldestAgeMs / 1000).toFixed(1)} s`, String(f.inFlight), String(f.failed)]),
      ]));
    }
    if (!name) throw new CliError(`which function? ${USAGE.split("\n")[0]}`);
    if (verb === "failed") {
      const { failed } = (await call(endpoint, `/_unkai/functions/${encodeURIComponent(name)}/events/failed`)) as { failed: Failed[] };
      if (values.json) return printJson(failed);
      if (failed.length === 0) return console.log(`No failed events for ${name}.`);
      return console.log(table([
        ["REQUEST ID", "ATTEMPTS", "CONDITION", "FAILED AT", "REASON"],
        ...failed.map((f) => [f.id, String(f.attempts), f.condition, f.failedAt, f.reason]),
      ]));
    }
    if (verb === "redrive") {
      const body = values.id ? JSON.stringify({ ids: values.id }) : "";
      const { redriven } = (await call(endpoint, `/_unkai/functions/${encodeURIComponent(name)}/events/redrive`, { method: "POST", body })) as { redriven: number };
      return console.log(redriven === 0 ? `Nothing to re-drive for ${name}.` : `Re-queued ${redriven} event${redriven === 1 ? "" : "s"} of ${name}.`);
    }
    throw new CliError(`unknown events command '${verb}'.`, USAGE);
  },
};

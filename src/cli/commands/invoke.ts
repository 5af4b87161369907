/** `unkai invoke <fn> [--payload JSON|@file] [--tail]`: a synchronous invocation. */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { endpointOf, ENDPOINT_OPTION, explain, lambdaClient } from "../client.js";
import { resolveName } from "../project/names.js";
import { CliError, printJson, type Command } from "../output.js";

export const invoke: Command = {
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...ENDPOINT_OPTION, payload: { type: "string" }, tail: { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean" } },
    });
    if (values.help) {
      console.log("Usage: unkai invoke <function> [--payload JSON|@file] [--tail] [--json]");
      return;
    }
    const name = positionals[0];
    if (!name) throw new CliError("which function?", "Example: unkai invoke hello --payload '{\"name\":\"Unkai\"}'");
    const payload = await readPayload(values.payload);
    const endpoint = endpointOf(values.endpoint);
    try {
      const result = await lambdaClient(endpoint).send(
        new InvokeCommand({ FunctionName: resolveName(name), Payload: payload, LogType: values.tail ? "Tail" : "None" }),
      );
      const body = Buffer.from(result.Payload ?? new Uint8Array()).toString("utf8");
      const log = result.LogResult ? Buffer.from(result.LogResult, "base64").toString("utf8") : undefined;
      if (values.json) {
        printJson({ StatusCode: result.StatusCode, FunctionError: result.FunctionError, ExecutedVersion: result.ExecutedVersion, Payload: body, Log: log });
      } else {
        if (log) process.stderr.write(log);
        process.stdout.write(`${body}\n`);
      }
      if (result.FunctionError) process.exitCode = 1;
    } catch (error) {
      explain(error, endpoint);
    }
  },
};

async function readPayload(value: string | undefined): Promise<Uint8Array | undefined> {
  if (value === undefined) return undefined;
  const text = value.startsWith("@") ? await readFile(value.slice(1), "utf8").catch(() => {
    throw new CliError(`cannot read payload file '${value.slice(1)}'.`);
  }) : value;
  try {
    JSON.parse(text);
  } catch (error) {
    throw new CliError(`the payload is not JSON: ${(error as Error).message}`, "Quote it for your shell, e.g. --payload '{\"key\":\"value\"}'.");
  }
  return Buffer.from(text);
}

/** `unkai ls`: the functions, one line each. */
import { parseArgs } from "node:util";
import { paginateListFunctions, type FunctionConfiguration } from "@aws-sdk/client-lambda";
import { endpointOf, ENDPOINT_OPTION, explain, lambdaClient } from "../client.js";
import { printJson, table, type Command } from "../output.js";

export const ls: Command = {
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { ...ENDPOINT_OPTION, json: { type: "boolean" } } });
    const endpoint = endpointOf(values.endpoint);
    const functions: FunctionConfiguration[] = [];
    try {
      for await (const page of paginateListFunctions({ client: lambdaClient(endpoint) }, {})) functions.push(...(page.Functions ?? []));
    } catch (error) {
      explain(error, endpoint);
    }
    if (values.json) return printJson(functions);
    if (functions.length === 0) return console.log("No functions yet. Deploy one with `unkai deploy`.");
    console.log(table([
      ["NAME", "RUNTIME", "MEMORY", "TIMEOUT", "LAST MODIFIED"],
      ...functions.map((f) => [f.FunctionName ?? "", f.Runtime ?? "", `${f.MemorySize} MB`, `${f.Timeout} s`, f.LastModified ?? ""]),
    ]));
  },
};

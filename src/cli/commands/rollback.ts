/** `unkai rollback <fn> --alias NAME`: points the alias back at the version before its current one. */
import { parseArgs } from "node:util";
import { GetAliasCommand, paginateListVersionsByFunction, UpdateAliasCommand } from "@aws-sdk/client-lambda";
import { endpointOf, ENDPOINT_OPTION, explain, lambdaClient } from "../client.js";
import { CliError, type Command } from "../output.js";
import { resolveName } from "../project/names.js";

export const rollback: Command = {
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...ENDPOINT_OPTION, alias: { type: "string" }, help: { type: "boolean" } } });
    if (values.help) return console.log("Usage: unkai rollback <function> --alias NAME");
    const local = positionals[0];
    if (!local || !values.alias) throw new CliError("which function and alias?", "Example: unkai rollback hello --alias live");
    const name = resolveName(local);
    const endpoint = endpointOf(values.endpoint);
    const client = lambdaClient(endpoint);
    try {
      const alias = await client.send(new GetAliasCommand({ FunctionName: name, Name: values.alias }));
      const current = Number(alias.FunctionVersion);
      const versions: number[] = [];
      for await (const page of paginateListVersionsByFunction({ client }, { FunctionName: name })) {
        for (const v of page.Versions ?? []) if (v.Version && /^\d+$/.test(v.Version)) versions.push(Number(v.Version));
      }
      const previous = versions.filter((v) => v < current).sort((a, b) => b - a)[0];
      if (previous === undefined) throw new CliError(`alias ${values.alias} of ${name} is at version ${alias.FunctionVersion}; there is no earlier version to go back to.`);
      await client.send(new UpdateAliasCommand({ FunctionName: name, Name: values.alias, FunctionVersion: String(previous), RoutingConfig: {} }));
      console.log(`Moved ${name}:${values.alias} from version ${current} back to ${previous}.`);
    } catch (error) {
      if (error instanceof CliError) throw error;
      explain(error, endpoint);
    }
  },
};

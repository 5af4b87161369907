/** `unkai deploy <dir> --name … --runtime … --handler …`: zips a folder and creates or updates the function. */
import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
  type Runtime,
} from "@aws-sdk/client-lambda";
import { zipDirectory } from "../../store/code/zip-directory.js";
import { apiGatewayV2Client, endpointOf, ENDPOINT_OPTION, explain, lambdaClient } from "../client.js";
import { deployApi, type ApiOutcome } from "../project/deploy-api.js";
import { CliError, printJson, table, type Command } from "../output.js";
import { deployFunction, selectFunctions } from "../project/deploy-project.js";
import { ensureDefaultRole } from "../project/default-role.js";
import { DEFAULT_ROLE, findProjectRoot, loadProject } from "../project/project-file.js";


export const deploy: Command = {
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...ENDPOINT_OPTION,
        name: { type: "string" },
        runtime: { type: "string" },
        handler: { type: "string" },
        role: { type: "string" },
        memory: { type: "string" },
        timeout: { type: "string" },
        env: { type: "string", multiple: true },
        json: { type: "boolean" },
        help: { type: "boolean" },
        alias: { type: "string" },
        publish: { type: "boolean" },
      },
    });
    if (values.help) {
      console.log("Usage: unkai deploy [function …] [--publish] [--alias NAME]   (in a unkai.json project)");
      console.log("       unkai deploy <dir> --name NAME --runtime RUNTIME --handler HANDLER [--memory MB] [--timeout S] [--env K=V …] [--role ARN] [--json]");
      return;
    }
    if (values.name === undefined) {
      return deployProject(positionals, { endpoint: endpointOf(values.endpoint), publish: values.publish ?? false, alias: values.alias, json: values.json ?? false });
    }
    const dir = positionals[0];
    if (!dir) throw new CliError("which folder? Give the function's code folder.", "Example: unkai deploy ./hello --name hello --runtime nodejs20.x --handler index.handler");
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new CliError(`'${dir}' is not a folder.`);
    const name = values.name;
    if (!name) throw new CliError("--name is required.", "Example: --name hello");
    const endpoint = endpointOf(values.endpoint);
    const client = lambdaClient(endpoint);
    const zip = await zipDirectory(dir, { exclude: (path) => path === ".git" || path.startsWith(".git/") });
    const environment = values.env ? { Variables: Object.fromEntries(values.env.map(parseEnv)) } : undefined;
    const settings = {
      ...(values.runtime ? { Runtime: values.runtime as Runtime } : {}),
      ...(values.handler ? { Handler: values.handler } : {}),
      ...(values.role ? { Role: values.role } : {}),
      ...(values.memory ? { MemorySize: toInt("--memory", values.memory) } : {}),
      ...(values.timeout ? { Timeout: toInt("--timeout", values.timeout) } : {}),
      ...(environment ? { Environment: environment } : {}),
    };
    try {
      const exists = await client.send(new GetFunctionCommand({ FunctionName: name })).then(
        () => true,
        (error: unknown) => {
          if (error instanceof ResourceNotFoundException) return false;
          throw error;
        },
      );
      let result;
      if (!exists) {
        if (!values.runtime || !values.handler) {
          throw new CliError(`function ${name} does not exist yet: --runtime and --handler are required to create it.`);
        }
        const role = values.role ?? (await ensureDefaultRole(endpoint));
        result = await client.send(new CreateFunctionCommand({ FunctionName: name, Code: { ZipFile: zip }, ...settings, Role: role }));
      } else {
        result = await client.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip }));
        if (Object.keys(settings).length > 0) {
          await waitUntilFunctionUpdatedV2({ client, maxWaitTime: 60 }, { FunctionName: name });
          result = await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...settings }));
        }
      }
      if (values.json) printJson(result);
      else console.log(`${exists ? "Updated" : "Created"} ${result.FunctionName} (${result.Runtime}, ${result.CodeSize} bytes, sha256 ${result.CodeSha256})`);
    } catch (error) {
      if (error instanceof CliError) throw error;
      explain(error, endpoint);
    }
  },
};

function parseEnv(pair: string): [string, string] {
  const at = pair.indexOf("=");
  if (at <= 0) throw new CliError(`--env '${pair}' is not KEY=VALUE.`);
  return [pair.slice(0, at), pair.slice(at + 1)];
}

function toInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CliError(`${flag} '${value}' is not a whole number.`);
  return n;
}

/** `unkai deploy [fn…]` inside a unkai.json project: every (or each named) function, one at a time. */
async function deployProject(names: string[], options: { endpoint: string; publish: boolean; alias: string | undefined; json: boolean }): Promise<void> {
  const root = findProjectRoot(process.cwd());
  if (!root) {
    throw new CliError("no unkai.json here or in a parent folder.", "Run `unkai init` to start a project, or deploy a folder with `unkai deploy <dir> --name …`.");
  }
  const project = loadProject(root);
  let selected;
  try {
    selected = selectFunctions(project, names);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const client = lambdaClient(options.endpoint);
  if (selected.some((fn) => fn.role === DEFAULT_ROLE)) {
    const role = await ensureDefaultRole(options.endpoint).catch((error: unknown) => explain(error, options.endpoint));
    selected = selected.map((fn) => (fn.role === DEFAULT_ROLE ? { ...fn, role } : fn));
  }
  const outcomes = [];
  for (const fn of selected) {
    if (!options.json) process.stderr.write(`deploying ${fn.name}… `);
    const outcome = await deployFunction(client, fn, options);
    if (!options.json) process.stderr.write(`${outcome.result}\n${outcome.detail ? `${outcome.detail}\n` : ""}`);
    if (outcome.result === "failed" && /ECONNREFUSED/.test(outcome.detail)) explain(new Error(outcome.detail), options.endpoint);
    outcomes.push(outcome);
  }
  const failed = outcomes.some((o) => o.result === "failed");
  let api: ApiOutcome | undefined;
  if (project.api && !failed) {
    const apis = apiGatewayV2Client(options.endpoint);
    try {
      api = await deployApi(apis, client, { ...project, api: project.api }, options.alias);
    } catch (error) {
      explain(error, options.endpoint);
    } finally {
      apis.destroy();
    }
  }
  if (options.json) {
    const functions = outcomes.map((o) => ({ function: o.fn.name, code: o.code, config: o.config, version: o.version, result: o.result, detail: o.detail || undefined }));
    printJson(api ? { functions, api } : functions);
  } else {
    console.log(table([["FUNCTION", "CODE", "CONFIG", "VERSION", "RESULT"], ...outcomes.map((o) => [o.fn.name, o.code, o.config, o.version, o.result])]));
    if (api) console.log(`API ${api.apiId}: ${api.endpoint}  (or ${options.endpoint}/_aws/execute-api/${api.apiId}/), routes: ${api.routes.join(", ")}`);
  }
  if (failed) process.exitCode = 1;
}

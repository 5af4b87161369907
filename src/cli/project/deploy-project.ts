/** Deploys a unkai.json project: build hook, deterministic zip, create or update, optional version and alias. */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync } from "node:fs";
import { join } from "node:path";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  PublishVersionCommand,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionConfiguration,
  type LambdaClient,
  type Runtime,
} from "@aws-sdk/client-lambda";
import { minimatch } from "minimatch";
import { zipDirectory } from "../../store/code/zip-directory.js";
import type { Project, ProjectFunction } from "./project-file.js";

export interface DeployOutcome {
  readonly fn: ProjectFunction;
  readonly code: "created" | "updated" | "unchanged" | "-";
  readonly config: "updated" | "unchanged" | "-";
  readonly version: string;
  readonly result: "ok" | "failed";
  readonly detail: string;
}

function runHook(name: string, command: string | undefined, fn: ProjectFunction): void {
  if (!command) return;
  const result = spawnSync("sh", ["-c", command], { cwd: fn.dir, env: { ...process.env, UNKAI_FUNCTION: fn.name }, encoding: "utf8" });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
    throw new Error(`${name} hook \`${command}\` failed with ${result.status === null ? `signal ${result.signal}` : `exit code ${result.status}`}${output ? `:\n${output}` : ""}`);
  }
}

/** The package: files matching an include pattern and no exclude pattern, zipped deterministically. */
export function packageFunction(fn: ProjectFunction): Promise<Buffer> {
  const excluded = (path: string) => fn.exclude.some((pattern) => minimatch(path, pattern, { dot: true }) || minimatch(path, `${pattern}/**`, { dot: true }));
  return zipDirectory(fn.dir, {
    exclude: (path) => {
      if (excluded(path)) return true;
      if (lstatSync(join(fn.dir, path)).isDirectory()) return false;
      return !fn.include.some((pattern) => minimatch(path, pattern, { dot: true }));
    },
  });
}

function desiredConfig(fn: ProjectFunction) {
  return {
    Runtime: fn.runtime as Runtime,
    Handler: fn.handler,
    Role: fn.role,
    ...(fn.description !== undefined ? { Description: fn.description } : {}),
    ...(fn.memory !== undefined ? { MemorySize: fn.memory } : {}),
    ...(fn.timeout !== undefined ? { Timeout: fn.timeout } : {}),
    Environment: { Variables: fn.environment },
    Layers: [...fn.layers],
  };
}

function configChanged(current: FunctionConfiguration, fn: ProjectFunction): boolean {
  const want = desiredConfig(fn);
  return (
    current.Runtime !== want.Runtime ||
    current.Handler !== want.Handler ||
    (want.MemorySize !== undefined && current.MemorySize !== want.MemorySize) ||
    (want.Timeout !== undefined && current.Timeout !== want.Timeout) ||
    (want.Description !== undefined && current.Description !== want.Description) ||
    JSON.stringify(current.Environment?.Variables ?? {}) !== JSON.stringify(want.Environment.Variables) ||
    JSON.stringify((current.Layers ?? []).map((l) => l.Arn)) !== JSON.stringify(want.Layers)
  );
}

async function currentConfig(client: LambdaClient, name: string): Promise<FunctionConfiguration | undefined> {
  try {
    return (await client.send(new GetFunctionCommand({ FunctionName: name }))).Configuration;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function pointAlias(client: LambdaClient, name: string, alias: string, version: string): Promise<void> {
  try {
    await client.send(new GetAliasCommand({ FunctionName: name, Name: alias }));
    await client.send(new UpdateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version, RoutingConfig: {} }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version }));
  }
}

export async function deployFunction(client: LambdaClient, fn: ProjectFunction, options: { publish: boolean; alias: string | undefined }): Promise<DeployOutcome> {
  const base = { fn, code: "-" as const, config: "-" as const, version: "-" };
  try {
    runHook("build", fn.hooks.build, fn);
    const zip = await packageFunction(fn);
    const sha = createHash("sha256").update(zip).digest("base64");
    runHook("predeploy", fn.hooks.predeploy, fn);
    const current = await currentConfig(client, fn.name);
    let code: DeployOutcome["code"];
    let config: DeployOutcome["config"] = "unchanged";
    if (!current) {
      await client.send(new CreateFunctionCommand({ FunctionName: fn.name, Code: { ZipFile: zip }, ...desiredConfig(fn) }));
      code = "created";
      config = "updated";
    } else {
      code = current.CodeSha256 === sha ? "unchanged" : "updated";
      if (code === "updated") await client.send(new UpdateFunctionCodeCommand({ FunctionName: fn.name, ZipFile: zip }));
      if (configChanged(current, fn)) {
        await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn.name, ...desiredConfig(fn) }));
        config = "updated";
      }
    }
    let version = "$LATEST";
    if (options.publish || options.alias) {
      version = (await client.send(new PublishVersionCommand({ FunctionName: fn.name }))).Version ?? "$LATEST";
      if (options.alias) await pointAlias(client, fn.name, options.alias, version);
    }
    runHook("postdeploy", fn.hooks.postdeploy, fn);
    return { fn, code, config, version: options.alias ? `${version} (${options.alias})` : version, result: "ok", detail: "" };
  } catch (error) {
    return { ...base, result: "failed", detail: (error as Error).message };
  }
}

export function selectFunctions(project: Project, names: readonly string[]): ProjectFunction[] {
  if (names.length === 0) return [...project.functions];
  return names.map((name) => {
    const fn = project.functions.find((f) => f.localName === name || f.name === name);
    if (!fn) throw new Error(`no function '${name}' in this project (functions: ${project.functions.map((f) => f.localName).join(", ")})`);
    return fn;
  });
}

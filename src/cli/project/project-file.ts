/**
 * unkai.json: a project of functions, one folder each under functions/, with shared defaults and
 * build hooks (as Apex did, seed 000). Parsed and validated with errors naming file and field.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { z } from "zod/v3";
import { corsInput } from "../../api-mapping/cors.js";
import { routeKeyProblem } from "../../api-mapping/routes.js";
import { CliError } from "../output.js";

const hooks = z.object({ build: z.string().optional(), predeploy: z.string().optional(), postdeploy: z.string().optional() }).strict();
const settings = {
  runtime: z.enum(["nodejs20.x", "nodejs22.x", "python3.11", "python3.12", "provided.al2023", "provided.al2"]).optional(),
  handler: z.string().min(1).optional(),
  role: z.string().optional(),
  description: z.string().max(256).optional(),
  memory: z.number().int().min(128).max(10_240).optional(),
  timeout: z.number().int().min(1).max(900).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  layers: z.array(z.string()).max(5).optional(),
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  hooks: hooks.optional(),
};
/** An HTTP API in front of the project's functions: route key → function folder, and optional CORS (apigatewayv2 casing). */
const apiSchema = z.object({
  routes: z.record(z.string(), z.string()),
  cors: corsInput.optional(),
}).strict();

export type ProjectApi = z.infer<typeof apiSchema>;

const projectSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9-_]{1,40}$/, "1 to 40 letters, digits, hyphens or underscores"),
  description: z.string().optional(),
  defaults: z.object(settings).strict().optional(),
  hooks: hooks.optional(),
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  api: apiSchema.optional(),
}).strict();
const functionSchema = z.object(settings).strict();

export interface ProjectFunction {
  /** The folder name under functions/. */
  readonly localName: string;
  /** The name on Unkai: `<project>_<folder>`. */
  readonly name: string;
  readonly dir: string;
  readonly runtime: string;
  readonly handler: string;
  readonly role: string;
  readonly description: string | undefined;
  readonly memory: number | undefined;
  readonly timeout: number | undefined;
  readonly environment: Record<string, string>;
  readonly layers: readonly string[];
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly hooks: { build?: string | undefined; predeploy?: string | undefined; postdeploy?: string | undefined };
}

export interface Project {
  readonly root: string;
  readonly name: string;
  readonly functions: readonly ProjectFunction[];
  readonly api: ProjectApi | undefined;
}

export const PROJECT_FILE = "unkai.json";
export const DEFAULT_ROLE = "arn:aws:iam::000000000000:role/unkai-default";

function readJson(path: string, root: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CliError(`${relative(root, path) || path} is not valid JSON: ${(error as Error).message}`);
  }
}

function check<T extends z.ZodType>(schema: T, value: unknown, file: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.infer<T>;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") || "(top level)";
  throw new CliError(`${file}: field '${field}' is invalid: ${issue?.message ?? "invalid value"}.`, "See docs/projects.md for what unkai.json and function.json allow.");
}

/** Finds unkai.json in `dir` or a parent folder. */
export function findProjectRoot(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(join(current, PROJECT_FILE))) return current;
    const parent = resolve(current, "..");
    if (parent === current) return undefined;
    current = parent;
  }
}

export function loadProject(root: string): Project {
  const file = join(root, PROJECT_FILE);
  const project = check(projectSchema, readJson(file, root), PROJECT_FILE);
  const functionsDir = join(root, "functions");
  if (!existsSync(functionsDir)) throw new CliError(`${PROJECT_FILE} has no functions/ folder beside it.`, "Run `unkai init` to scaffold one.");
  const defaults = project.defaults ?? {};
  const functions = readdirSync(functionsDir)
    .filter((entry) => statSync(join(functionsDir, entry)).isDirectory())
    .sort()
    .map((localName): ProjectFunction => {
      const dir = join(functionsDir, localName);
      const overridesFile = join(dir, "function.json");
      const own = existsSync(overridesFile) ? check(functionSchema, readJson(overridesFile, root), `functions/${localName}/function.json`) : {};
      const runtime = own.runtime ?? defaults.runtime;
      if (!runtime) throw new CliError(`functions/${localName}: no runtime: set defaults.runtime in ${PROJECT_FILE} or runtime in function.json.`);
      if (!/^[a-zA-Z0-9-_]+$/.test(localName)) throw new CliError(`functions/${localName}: folder names may only use letters, digits, hyphens and underscores.`);
      return {
        localName,
        name: `${project.name}_${localName}`,
        dir,
        runtime,
        handler: own.handler ?? defaults.handler ?? (runtime.startsWith("python") ? "app.handler" : "index.handler"),
        role: own.role ?? defaults.role ?? DEFAULT_ROLE,
        description: own.description ?? defaults.description,
        memory: own.memory ?? defaults.memory,
        timeout: own.timeout ?? defaults.timeout,
        environment: { ...defaults.environment, ...own.environment },
        layers: own.layers ?? defaults.layers ?? [],
        include: own.include ?? defaults.include ?? project.include ?? ["**"],
        exclude: [...(project.exclude ?? []), ...(defaults.exclude ?? []), ...(own.exclude ?? []), "function.json"],
        hooks: { ...project.hooks, ...defaults.hooks, ...own.hooks },
      };
    });
  if (functions.length === 0) throw new CliError("functions/ has no function folders.", "Add one, e.g. functions/hello/index.mjs.");
  for (const [routeKey, target] of Object.entries(project.api?.routes ?? {})) {
    const problem = routeKeyProblem(routeKey);
    if (problem) throw new CliError(`${PROJECT_FILE}: field 'api.routes' is invalid: ${problem}`);
    if (!functions.some((fn) => fn.localName === target)) {
      throw new CliError(`${PROJECT_FILE}: field 'api.routes.${routeKey}' names function '${target}', which is not a folder under functions/.`);
    }
  }
  return { root, name: project.name, functions, api: project.api };
}

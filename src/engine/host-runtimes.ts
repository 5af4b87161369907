/**
 * Maps Lambda runtimes to this host's interpreters and to Unkai's bootstraps in src/runtimes/.
 * nodejs20.x and nodejs22.x both run on the configured Node; python3.x on the configured Python.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { invalidParameter } from "../core/errors.js";
import { RUNTIMES, type RuntimeFamily, type RuntimeId } from "../core/runtimes.js";
import { isExecutable } from "./executable.js";

/** Package root: this file is dist/src/engine/host-runtimes.js. */
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** Unkai's in-sandbox bootstraps (what Lambda keeps in /var/runtime). */
export const RUNTIMES_DIR = join(PACKAGE_ROOT, "src", "runtimes");
/** The node_modules holding Unkai's AWS SDK for JavaScript, which functions use without bundling it. */
export const SDK_MODULES = dirname(dirname(dirname(createRequire(import.meta.url).resolve("@aws-sdk/client-lambda/package.json"))));
export const BOOTSTRAPS = {
  node: join(RUNTIMES_DIR, "node", "bootstrap.mjs"),
  python: join(RUNTIMES_DIR, "python", "bootstrap.py"),
} as const;

export interface Interpreters {
  readonly node: string;
  /** Python interpreter; `python3.X` beside it is preferred when present. */
  readonly python: string;
}

export interface Launch {
  readonly family: RuntimeFamily;
  readonly command: string;
  readonly args: readonly string[];
}

export class HostRuntimes {
  constructor(private readonly interpreters: Interpreters) {}

  /** The command that starts `runtime`'s bootstrap; throws when this host cannot run it. */
  launch(runtime: RuntimeId, codeDir: string): Launch {
    const { family, version } = RUNTIMES[runtime];
    switch (family) {
      case "node":
        return { family, command: this.require(runtime, this.interpreters.node), args: [BOOTSTRAPS.node] };
      case "python":
        return { family, command: this.python(runtime, version), args: [BOOTSTRAPS.python] };
      case "provided":
        return { family, command: join(codeDir, "bootstrap"), args: [] };
    }
  }

  /** Checks at create/update time that the interpreter exists. */
  check(runtime: RuntimeId): void {
    const { family, version } = RUNTIMES[runtime];
    if (family === "node") this.require(runtime, this.interpreters.node);
    if (family === "python") this.python(runtime, version);
  }

  /** The interpreter each runtime uses, for docs and `unkai doctor`. */
  describe(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const id of Object.keys(RUNTIMES) as RuntimeId[]) {
      try {
        out[id] = this.launch(id, "<code>").command;
      } catch (error) {
        out[id] = `unavailable: ${(error as Error).message}`;
      }
    }
    return out;
  }

  private python(runtime: RuntimeId, version: string): string {
    const exact = join(dirname(this.interpreters.python), `python${version}`);
    return isExecutable(exact) ? exact : this.require(runtime, this.interpreters.python);
  }

  private require(runtime: RuntimeId, path: string): string {
    if (!isExecutable(path)) {
      throw invalidParameter(`Runtime ${runtime} is not available on this Unkai host: interpreter ${path} was not found or is not executable.`);
    }
    return path;
  }
}


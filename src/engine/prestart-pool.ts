/**
 * Pre-started runtime processes, one small pool per bootstrap command. A process waits, already
 * booted, for one line on stdin that gives it a function's environment and code directory.
 */
import type { Logger } from "pino";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { RUNTIMES_DIR, SDK_MODULES } from "./host-runtimes.js";
import { seePath, type Sandbox, type SandboxDriver } from "./sandbox/driver.js";

export interface PrestartTarget {
  readonly command: string;
  readonly args: readonly string[];
}

export class PrestartPool {
  /** Pre-started sandboxes get a /tmp of Lambda's default size; other sizes start fresh. */
  static readonly EPHEMERAL_MB = 512;
  /** How long after a take the pool starts its replacement. */
  static readonly REFILL_DELAY_MS = 100;

  private readonly ready = new Map<string, Sandbox[]>();
  private closed = false;

  constructor(
    private readonly driver: SandboxDriver,
    private readonly targets: readonly PrestartTarget[],
    private readonly size: number,
    private readonly scratchDir: string,
    private readonly basePath: string,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.size <= 0) return;
    for (const target of this.targets) this.refill(target);
  }

  /** A booted process for `target`, or undefined when none is ready. */
  take(target: PrestartTarget): Sandbox | undefined {
    const list = this.ready.get(keyOf(target));
    if (!list) return undefined;
    let sandbox = list.shift();
    while (sandbox?.hasExited) sandbox = list.shift();
    // Not at once: the refill's spawns (bubblewrap and, under the linux driver, the sandbox's network
    // helpers) block the event loop for milliseconds each, and would land on the cold start being served.
    setTimeout(() => this.refill(target), PrestartPool.REFILL_DELAY_MS).unref();
    return sandbox;
  }

  /** Hands a pre-started process its function: environment and working directory. */
  static specialise(sandbox: Sandbox, env: Record<string, string>, cwd: string): void {
    sandbox.stdin.write(`${JSON.stringify({ env, cwd })}\n`);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.ready.values()].flat();
    this.ready.clear();
    await Promise.all(all.map((sandbox) => sandbox.kill(0)));
  }

  private refill(target: PrestartTarget): void {
    if (this.closed || !this.targets.some((t) => keyOf(t) === keyOf(target))) return;
    const key = keyOf(target);
    const list = this.ready.get(key) ?? [];
    this.ready.set(key, list);
    while (list.length < this.size) {
      // Empty task and layer directories: a driver that mounts them fills them on specialisation.
      const own = join(this.scratchDir, `pool-${randomBytes(6).toString("hex")}`);
      const host = { taskRoot: join(own, "task"), optDir: join(own, "opt"), tmpDir: join(own, "tmp"), runtimeDir: RUNTIMES_DIR, sdkModules: SDK_MODULES };
      for (const dir of [host.taskRoot, host.optDir, host.tmpDir]) mkdirSync(dir, { recursive: true });
      const seen = this.driver.seenAs(host);
      const sandbox = this.driver.spawn({
        command: seePath(target.command, host, seen),
        args: target.args.map((arg) => seePath(arg, host, seen)),
        env: { PATH: this.basePath, LANG: "en_US.UTF-8", TZ: ":UTC", _UNKAI_POOLED: "1" },
        cwd: this.scratchDir,
        memoryMb: 0,
        tmpDir: host.tmpDir,
        channelFd: true,
        host,
        ephemeralMb: PrestartPool.EPHEMERAL_MB,
      });
      // Output before specialisation is never a function's: drop it.
      sandbox.stdout.resume();
      sandbox.stderr.resume();
      void sandbox.exited.then((exit) => {
        const at = list.indexOf(sandbox);
        if (at >= 0) {
          list.splice(at, 1);
          if (!this.closed) this.logger.warn({ command: target.command, exit }, "pre-started runtime exited while waiting");
        }
      });
      list.push(sandbox);
    }
  }
}

const keyOf = (target: PrestartTarget) => [target.command, ...target.args].join("\0");

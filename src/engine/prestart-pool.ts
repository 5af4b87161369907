/**
 * Pre-started runtime processes, one small pool per bootstrap command. A process waits, already
 * booted, for one line on stdin that gives it a function's environment and code directory.
 */
import type { Logger } from "pino";
import type { Sandbox, SandboxDriver } from "./sandbox/driver.js";

export interface PrestartTarget {
  readonly command: string;
  readonly args: readonly string[];
}

export class PrestartPool {
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
    setImmediate(() => this.refill(target));
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
      const sandbox = this.driver.spawn({
        command: target.command,
        args: target.args,
        env: { PATH: this.basePath, LANG: "en_US.UTF-8", TZ: ":UTC", _KUMO_POOLED: "1" },
        cwd: this.scratchDir,
        memoryMb: 0,
        tmpDir: this.scratchDir,
        channelFd: true,
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

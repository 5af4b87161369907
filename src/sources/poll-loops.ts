/**
 * The frame every event source poller shares: a scan on an interval (and once at start) that starts
 * long-running loops by key, and a close that stops scanning and waits for every loop it started.
 */
export class PollLoops {
  private readonly loops = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly scan: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  /** Whether close() was called: loops end at their next step. */
  get closed(): boolean {
    return this.stopped;
  }

  start(): void {
    if (this.stopped || this.timer) return;
    this.timer = setInterval(() => void this.scan(), this.intervalMs);
    this.timer.unref();
    void this.scan();
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.loops.values()]);
  }

  has(key: string): boolean {
    return this.loops.has(key);
  }

  /** Runs `loop` under `key` until it settles; close() waits for it. */
  run(key: string, loop: () => Promise<void>): void {
    this.loops.set(key, loop().finally(() => this.loops.delete(key)));
  }
}

/**
 * The loop behind every background poller that keeps its work in a store (the retry outboxes, the
 * schedule runners): a pass looks at the store and says when the next piece of work is due; the loop
 * sleeps until then, at most `pollMs` (another node may add work meanwhile), or until woken. Wakes
 * are coalesced: one pass runs at a time, and a wake during a pass runs one more after it.
 */
export interface WakeLoopOptions {
  /** The longest sleep between passes. */
  readonly pollMs: number;
  /** The clock the due times are on (epoch milliseconds). */
  readonly now: () => number;
  /** A pass that threw; the loop goes on and looks again within `pollMs`. */
  readonly onError: (error: unknown) => void;
}

export class WakeLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;
  private closed = false;

  /** `pass` does the due work and resolves to when the next is due (undefined: nothing known). */
  constructor(private readonly pass: () => Promise<number | undefined>, private readonly options: WakeLoopOptions) {}

  start(): void {
    this.started = true;
    this.wake();
  }

  /** Runs a pass now, or one more after the pass in progress. */
  wake(): void {
    if (!this.started || this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops the loop; waits for the pass in progress. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async loop(): Promise<void> {
    let due: number | undefined;
    do {
      this.again = false;
      try {
        due = await this.pass();
      } catch (error) {
        this.options.onError(error);
        due = undefined;
      }
    } while (this.again && !this.closed);
    if (this.closed) return;
    const waitMs = Math.max(0, Math.min(this.options.pollMs, due === undefined ? Infinity : due - this.options.now()));
    this.timer = setTimeout(() => this.wake(), waitMs);
    this.timer.unref();
  }
}

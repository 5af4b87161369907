/** Background work repeated every `everyMs` (the timer does not keep the process alive), its failures handed to `onError`; `stop` waits for a run in flight. */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly run: () => Promise<unknown>, private readonly everyMs: number, private readonly onError: (error: unknown) => void) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.run().catch(this.onError);
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/**
 * Wakes waiters on a key when something they wait for may have happened there: SQS's long-polling
 * receives (key: the queue), Kinesis's SubscribeToShard streams (key: the stream). A waiter arms a
 * ticket for its key *before* it looks, so a write that commits between the look and the wait still
 * wakes it; a ticket also ends at a deadline (the wait time, or when a hidden message becomes
 * visible). No polling loop: an idle waiter is one timer and one pending Promise.
 */
export interface Ticket {
  /** Resolves on a wake-up for the key, at the deadline, or when the service closes. */
  readonly fired: Promise<void>;
  /** Sets when the ticket fires on its own. */
  until(deadlineMs: number): void;
  cancel(): void;
}

export class WakeSignals {
  private readonly waiting = new Map<string, Set<() => void>>();
  private closed = false;

  arm(key: string): Ticket {
    let timer: NodeJS.Timeout | undefined;
    let fire = () => {};
    const fired = new Promise<void>((resolve) => {
      fire = () => {
        if (timer) clearTimeout(timer);
        this.waiting.get(key)?.delete(fire);
        if (this.waiting.get(key)?.size === 0) this.waiting.delete(key);
        resolve();
      };
    });
    if (this.closed) fire();
    else {
      const set = this.waiting.get(key) ?? new Set();
      set.add(fire);
      this.waiting.set(key, set);
    }
    return {
      fired,
      until: (deadlineMs) => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(fire, Math.max(0, deadlineMs - Date.now()));
      },
      cancel: () => fire(),
    };
  }

  /** Whether the service is closing (a waiter then answers at once). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Something waited for at `key` may have happened (a message became receivable, records arrived). */
  wake(key: string): void {
    for (const fire of [...(this.waiting.get(key) ?? [])]) fire();
  }

  /** Ends every wait (shutdown) and every later one at once. */
  close(): void {
    this.closed = true;
    for (const key of [...this.waiting.keys()]) this.wake(key);
  }
}

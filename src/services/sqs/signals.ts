/**
 * Wakes long-polling receives. A receive arms a ticket for its queue *before* it looks for messages,
 * so a send that commits between the look and the wait still wakes it; a ticket also ends at a
 * deadline (the wait time, or when a hidden message becomes visible). No polling loop: an idle
 * long poll is one timer and one pending Promise.
 */
export interface Ticket {
  /** Resolves on a wake-up for the queue, at the deadline, or when the service closes. */
  readonly fired: Promise<void>;
  /** Sets when the ticket fires on its own. */
  until(deadlineMs: number): void;
  cancel(): void;
}

export class QueueSignals {
  private readonly waiting = new Map<string, Set<() => void>>();
  private closed = false;

  arm(queue: string): Ticket {
    let timer: NodeJS.Timeout | undefined;
    let fire = () => {};
    const fired = new Promise<void>((resolve) => {
      fire = () => {
        if (timer) clearTimeout(timer);
        this.waiting.get(queue)?.delete(fire);
        if (this.waiting.get(queue)?.size === 0) this.waiting.delete(queue);
        resolve();
      };
    });
    if (this.closed) fire();
    else {
      const set = this.waiting.get(queue) ?? new Set();
      set.add(fire);
      this.waiting.set(queue, set);
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

  /** Whether the service is closing (a long poll then answers at once). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Something in the queue may have become receivable. */
  wake(queue: string): void {
    for (const fire of [...(this.waiting.get(queue) ?? [])]) fire();
  }

  /** Ends every wait (shutdown) and every later one at once. */
  close(): void {
    this.closed = true;
    for (const queue of [...this.waiting.keys()]) this.wake(queue);
  }
}

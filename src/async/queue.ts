/**
 * Durable enqueue with group commit: requests arriving in the same turn of the event loop are
 * written in one fsynced transaction, and each caller is answered only after that commit.
 */
import { ServiceMetrics } from "../core/service-metrics.js";
import type { AsyncQueueStore } from "../store/ports.js";

export interface NewEvent {
  readonly id: string;
  readonly functionName: string;
  readonly qualifier: string;
  readonly payload: Buffer;
}

interface Pending extends NewEvent {
  readonly enqueuedAt: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class AsyncQueue {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Called after every commit, with the functions whose events it holds, so the worker looks at the queue at once. */
  onEnqueued: (functionNames: ReadonlySet<string>) => void = () => undefined;

  constructor(readonly store: AsyncQueueStore, private readonly metrics = new ServiceMetrics()) {}

  /** Resolves once the event is durably stored. */
  enqueue(event: NewEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...event, enqueuedAt: Date.now(), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.commit());
      }
    });
  }

  /** Never rejects: each caller hears its batch's outcome through its own promise. */
  private async commit(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.store.enqueue(batch);
    } catch (error) {
      for (const event of batch) event.reject(error);
      return;
    }
    const functionNames = new Set<string>();
    for (const event of batch) {
      this.metrics.addForFunction("AsyncEventsReceived", event.functionName, event.qualifier, 1);
      functionNames.add(event.functionName);
      event.resolve();
    }
    this.onEnqueued(functionNames);
  }
}

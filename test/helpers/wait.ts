import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Recorded {
  phase: "start" | "end";
  requestId: string;
  at: number;
  event?: unknown;
}

/**
 * Where the recorder fixture reports, on the host's loopback. Linux sandboxes have a network of their
 * own, so the Unkai a collector serves must relay its port into them: pass `await collector.env()`
 * (UNKAI_SANDBOX_HOST_PORTS) when starting it. One channel per function name.
 */
export class Collector {
  private readonly entries = new Map<string, Recorded[]>();
  private readonly server: Server;
  private readonly started: Promise<void>;
  private base = "";

  constructor() {
    // Listening from the start, so a suite can relay the port before its Unkai starts.
    this.server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        const channel = (req.url ?? "/").slice(1);
        const list = this.entries.get(channel) ?? [];
        list.push(JSON.parse(body) as Recorded);
        this.entries.set(channel, list);
        res.end("ok");
      });
    });
    this.started = new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", () => resolve())).then(() => {
      this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    });
  }

  start(): Promise<void> {
    return this.started;
  }

  /** The setting that lets functions under the linux driver reach this collector. */
  async env(): Promise<Record<string, string>> {
    await this.started;
    return { UNKAI_SANDBOX_HOST_PORTS: String((this.server.address() as AddressInfo).port) };
  }

  /** The URL a recorder function reports to for `channel`. */
  url(channel: string): string {
    return `${this.base}/${channel}`;
  }

  recorded(channel: string): Recorded[] {
    return [...(this.entries.get(channel) ?? [])];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

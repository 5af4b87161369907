/**
 * Host ports the operator lets functions reach (`--sandbox-host-ports`): each linux sandbox sees the
 * port on its own 127.0.0.1, relayed to a root-only Unix socket here, which connects to the host's
 * 127.0.0.1:<port>. Every other host-loopback port stays out of reach (docs/security.md#network).
 */
import { chmodSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { RelayedPort } from "../engine/sandbox/network-namespace.js";

export interface HostPortRelays {
  readonly relays: readonly RelayedPort[];
  close(): Promise<void>;
}

/** Listens on one Unix socket per port in `dir` (0600), each piping to the host's 127.0.0.1:<port>. */
export async function openHostPortRelays(dir: string, ports: readonly number[]): Promise<HostPortRelays> {
  const servers: Server[] = [];
  const relays: RelayedPort[] = [];
  const open = new Set<Socket>();
  for (const port of ports) {
    const socketPath = join(dir, `host-port-${port}.sock`);
    rmSync(socketPath, { force: true });
    const server = createServer((inside) => {
      const host = connect(port, "127.0.0.1");
      for (const socket of [inside, host]) {
        open.add(socket);
        socket.once("close", () => open.delete(socket));
      }
      // Either side ending or failing ends both: a refused host port closes the function's connection.
      inside.on("error", () => host.destroy());
      host.on("error", () => inside.destroy());
      inside.pipe(host).pipe(inside);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => resolve());
    });
    chmodSync(socketPath, 0o600);
    servers.push(server);
    relays.push({ port, socketPath });
  }
  return {
    relays,
    close: async () => {
      // The sandboxes are gone by now; a host service that keeps its end open must not hold Unkai's shutdown.
      for (const socket of open) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

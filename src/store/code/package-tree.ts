/**
 * A code package as a tree in memory (files, directories, symlinks), checked before anything touches
 * the disk: no path passes through a file or a symlink of the package, no path is given twice, and
 * every symlink, followed through the package's other symlinks, stays inside the package.
 *
 * Why a tree in memory: extraction then never has to ask the filesystem what a path resolves to. It
 * writes directories and regular files first (no symlink exists yet, and no entry lies beneath one),
 * and creates the symlinks last, so no write can ever pass through a link — whatever the links say.
 */

export type NodeKind = "file" | "dir" | "link";

/** Linux's own bound on symlinks followed in one lookup (MAXSYMLINKS). */
const MAX_LINK_HOPS = 40;

export class PackageTree {
  private readonly nodes = new Map<string, { kind: NodeKind; target?: string }>();

  /**
   * Adds `path` (a checked relative path, '/'-separated, no '.' or '..' components) and its
   * implied parent directories. Returns a reason when the entry cannot be placed, else undefined.
   */
  add(path: string, kind: NodeKind, target?: string): string | undefined {
    const parts = path.split("/");
    for (let depth = 1; depth < parts.length; depth++) {
      const parent = parts.slice(0, depth).join("/");
      const existing = this.nodes.get(parent);
      if (existing?.kind === "link") return `entry '${path}' lies beneath symlink '${parent}'`;
      if (existing?.kind === "file") return `entry '${path}' lies beneath file '${parent}'`;
      if (!existing) this.nodes.set(parent, { kind: "dir" });
    }
    const existing = this.nodes.get(path);
    if (existing) {
      if (existing.kind === "dir" && kind === "dir") return undefined;
      if (existing.kind === "dir") return `entry '${path}' is a directory and also a ${kind === "link" ? "symlink" : "file"}`;
      return `entry '${path}' appears more than once`;
    }
    this.nodes.set(path, target === undefined ? { kind } : { kind, target });
    return undefined;
  }

  /** The symlinks, as [path, target] pairs. */
  links(): [string, string][] {
    const links: [string, string][] = [];
    for (const [path, node] of this.nodes) if (node.kind === "link") links.push([path, node.target ?? ""]);
    return links;
  }

  /**
   * Why the symlink at `path` is unsafe, or undefined when following it (and every symlink it
   * reaches, as the kernel would) never leaves the package. A component that does not exist is
   * taken lexically: the package is read-only once extracted, so it can only fail to resolve.
   */
  linkProblem(path: string, target: string): string | undefined {
    if (target.startsWith("/")) return `symlink '${path}' points to absolute path '${target}'`;
    if (target === "" || target.includes("\0")) return `symlink '${path}' has an empty or NUL target`;
    const resolved = path.split("/").slice(0, -1);
    const pending = target.split("/");
    let hops = 0;
    for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (resolved.length === 0) return `symlink '${path}' points outside the package ('${target}')`;
        resolved.pop();
        continue;
      }
      resolved.push(part);
      const node = this.nodes.get(resolved.join("/"));
      if (node?.kind !== "link") continue;
      if (++hops > MAX_LINK_HOPS) return `symlink '${path}' is part of a symlink loop`;
      const next = node.target ?? "";
      if (next.startsWith("/")) return `symlink '${path}' leads to absolute path '${next}'`;
      resolved.pop();
      pending.unshift(...next.split("/"));
    }
    return undefined;
  }
}

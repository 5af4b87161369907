/** The linux driver's in-process `cp -al`: the same tree, links, owners, modes and times as cp makes. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { linkTree } from "../src/engine/sandbox/link-tree.js";

/** Every entry under `dir`: what `cp -a` preserves, and which inode a non-directory shares. */
function listing(dir: string, prefix = "."): string[] {
  const self = lstatSync(join(dir));
  const lines = [`${prefix} dir mode=${(self.mode & 0o7777).toString(8)} owner=${self.uid}:${self.gid} mtime=${self.mtimeMs} atime=${self.atimeMs}`];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) lines.push(...listing(path, `${prefix}/${name}`));
    else lines.push(`${prefix}/${name} ${stat.isSymbolicLink() ? "symlink" : "file"} ino=${stat.ino} links=${stat.nlink}`);
  }
  return lines;
}

describe("linkTree", () => {
  const root = mkdtempSync(join(tmpdir(), "unkai-link-tree-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("makes what cp -al makes: hard links, and directories with the source's owner, mode and times", async () => {
    const source = join(root, "code");
    mkdirSync(join(source, "lib", "deep"), { recursive: true });
    writeFileSync(join(source, "index.js"), "exports.handler = async () => 1;\n");
    writeFileSync(join(source, "lib", "deep", "data.json"), "{}");
    symlinkSync("../index.js", join(source, "lib", "entry.js"));
    chmodSync(join(source, "lib"), 0o750);
    chmodSync(join(source, "lib", "deep"), 0o711);
    if (process.getuid?.() === 0) chownSync(join(source, "lib"), 4321, 8765);
    for (const [dir, seconds] of [[join(source, "lib", "deep"), 1_600_000_000], [join(source, "lib"), 1_600_000_001], [source, 1_600_000_002]] as const) {
      utimesSync(dir, seconds, seconds);
    }
    const byCp = join(root, "by-cp");
    const byLinkTree = join(root, "by-link-tree");
    mkdirSync(byCp);
    mkdirSync(byLinkTree);
    execFileSync("/bin/cp", ["-al", `${source}/.`, byCp]);
    // cp's reading of the source may have moved its access times: set them again for the second copy.
    for (const [dir, seconds] of [[join(source, "lib", "deep"), 1_600_000_000], [join(source, "lib"), 1_600_000_001], [source, 1_600_000_002]] as const) {
      utimesSync(dir, seconds, seconds);
    }
    await linkTree(source, byLinkTree);
    const expected = listing(byCp);
    assert.deepEqual(listing(byLinkTree), expected);
    assert.ok(expected.some((line) => line.includes("mode=750")), "the listing covers modes");
  });

  it("fails on a source that is not there, placing nothing", async () => {
    const target = join(root, "empty-target");
    mkdirSync(target);
    await assert.rejects(linkTree(join(root, "missing"), target), /ENOENT/);
    assert.deepEqual(readdirSync(target), []);
  });
});

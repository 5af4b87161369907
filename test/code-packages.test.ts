/**
 * Hostile code packages: chained and absolute symlinks, zip-slip, odd names, duplicates and bombs
 * are refused with Lambda's error by CreateFunction, UpdateFunctionCode and PublishLayerVersion,
 * nothing lands outside the package, Unkai keeps serving, and links that stay inside still work.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import yazl from "yazl";
import { CreateFunctionCommand, PublishLayerVersionCommand, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
import { invoke, ROLE } from "./helpers/clients.js";
import { REPO_ROOT } from "./helpers/paths.js";
import { unkaiCli } from "./helpers/process.js";
import { rawZip, type RawEntry } from "./helpers/raw-zip.js";
import { unkaiSuite } from "./helpers/suite.js";

const HANDLER = "exports.handler = async () => 'still here';";
const LINK = 0o120777;
const UNZIP_ERROR = /^Could not unzip uploaded file\. Please check your file, then try to upload again\. \(/;

/** A place outside every package where an escaping write would land (made by the test, so it exists). */
const outside = mkdtempSync(join(tmpdir(), "unkai-escape-"));
const outsideRel = outside.slice(1);

/** The report's attack: `a/b -> ..` makes `a/b/a/b/…` the package root again, then `up` climbs to `/`. */
function chainedSymlinkZip(): Buffer {
  return rawZip([
    { name: "index.js", content: HANDLER },
    { name: "a/b", content: "..", mode: LINK },
    { name: "a/b/a/b/a/b/a/b/a/b/up", content: "../../../../../../../../../..", mode: LINK },
    { name: `a/b/a/b/a/b/a/b/a/b/up/${outsideRel}/chained`, content: "pwned" },
  ]);
}

/** A link to an absolute directory, then a file beneath it. */
function absoluteSymlinkZip(): Buffer {
  return rawZip([
    { name: "index.js", content: HANDLER },
    { name: "lib", content: outside, mode: LINK },
    { name: "lib/absolute", content: "pwned" },
  ]);
}

describe("hostile code packages", () => {
  const suite = unkaiSuite({ UNKAI_PYTHON: "/nonexistent/python3" });
  after(() => rmSync(outside, { recursive: true, force: true }));

  type Upload = (zip: Buffer) => Promise<unknown>;
  const uploads: Record<string, Upload> = {
    CreateFunction: (zip) => suite.client.send(new CreateFunctionCommand({ FunctionName: "hostile", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: zip } })),
    UpdateFunctionCode: (zip) => suite.client.send(new UpdateFunctionCodeCommand({ FunctionName: "victim", ZipFile: zip })),
    PublishLayerVersion: (zip) => suite.client.send(new PublishLayerVersionCommand({ LayerName: "hostile", Content: { ZipFile: zip } })),
  };

  async function refused(upload: Upload, zip: Buffer, expected: RegExp): Promise<void> {
    const error = await upload(zip).then(() => undefined, (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } });
    assert.ok(error, "the upload was refused");
    assert.equal(error.name, "InvalidParameterValueException", error.message);
    assert.equal(error.$metadata?.httpStatusCode, 400);
    assert.match(error.message, UNZIP_ERROR);
    assert.match(error.message, expected);
  }

  function assertNothingEscaped(): void {
    assert.deepEqual(readdirSync(outside), [], "nothing was written outside the package");
    const leftovers = readdirSync(join(suite.unkai.dataDir, "code")).filter((name) => name.startsWith(".tmp-"));
    assert.deepEqual(leftovers, [], "failed extractions leave nothing behind");
  }

  async function assertStillServing(): Promise<void> {
    const result = await invoke(suite.client, "victim");
    assert.equal(result.functionError, undefined, result.payload);
    assert.equal(result.json, "still here");
  }

  it("refuses chained-symlink and absolute-symlink zips in CreateFunction, UpdateFunctionCode and PublishLayerVersion", async () => {
    await suite.client.send(new CreateFunctionCommand({ FunctionName: "victim", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: rawZip([{ name: "index.js", content: HANDLER }]) } }));
    for (const [operation, upload] of Object.entries(uploads)) {
      await refused(upload, chainedSymlinkZip(), /entry 'a\/b\/a\/b\/a\/b\/a\/b\/a\/b\/up' lies beneath symlink 'a\/b'/).catch((e: Error) => assert.fail(`${operation}: ${e.message}`));
      await refused(upload, absoluteSymlinkZip(), /symlink 'lib'|entry 'lib\/absolute' lies beneath symlink 'lib'/).catch((e: Error) => assert.fail(`${operation}: ${e.message}`));
      await refused(upload, rawZip([{ name: "index.js", content: HANDLER }, { name: "secret", content: "/etc/shadow", mode: LINK }]), /symlink 'secret' points to absolute path '\/etc\/shadow'/);
      assertNothingEscaped();
      await assertStillServing();
    }
  });

  it("refuses links that leave the package only through other links, and link loops", async () => {
    const upload = uploads.CreateFunction as Upload;
    // Each link alone stays inside; `deep/x -> ../../..` climbs past the root only because `deep` is a link.
    await refused(upload, rawZip([
      { name: "index.js", content: HANDLER },
      { name: "d1/d2/placeholder", content: "" },
      { name: "deep", content: "d1/d2", mode: LINK },
      { name: "up", content: "deep/../../..", mode: LINK },
    ]), /symlink 'up' points outside the package/);
    await refused(upload, rawZip([{ name: "loop1", content: "loop2/x", mode: LINK }, { name: "loop2", content: "loop1/x", mode: LINK }]), /symlink loop/);
    await refused(upload, rawZip([{ name: "a", content: "./../a", mode: LINK }]), /points outside the package/);
    assertNothingEscaped();
  });

  it("refuses zip-slip, absolute names, NUL and backslash names, duplicates, a symlink then a file of its name, and type clashes", async () => {
    const upload = uploads.CreateFunction as Upload;
    const cases: [RawEntry[], RegExp][] = [
      [[{ name: `../../../../../../../../${outsideRel}/slip`, content: "x" }], /invalid relative path|climbs out/],
      [[{ name: `${outside}/absolute`, content: "x" }], /absolute path/],
      [[{ name: "nul\0.js", content: "x" }], /NUL|invalid characters/],
      [[{ name: "win\\dows.js", content: "x" }], /backslash|invalid characters/],
      [[{ name: `${"n".repeat(300)}.js`, content: "x" }], /has a name part longer than 255 bytes/],
      [[{ name: `${"d/".repeat(1_600)}deep.js`, content: "x" }], /is longer than 3072 bytes/],
      [[{ name: "index.js", content: HANDLER }, { name: "index.js", content: "evil" }], /entry 'index\.js' appears more than once/],
      [[{ name: "lib", content: outside, mode: LINK }, { name: "lib", content: "file" }], /entry 'lib' appears more than once/],
      [[{ name: "lib", content: "x" }, { name: "lib/inner.js", content: "x" }], /entry 'lib\/inner\.js' lies beneath file 'lib'/],
      [[{ name: "dir/inner.js", content: "x" }, { name: "dir", content: ".", mode: LINK }], /entry 'dir' is a directory and also a symlink/],
    ];
    for (const [entries, expected] of cases) await refused(upload, rawZip(entries), expected);
    assertNothingEscaped();
    await assertStillServing();
  });

  it("refuses a zip bomb from its headers before writing anything", async () => {
    const bomb = new yazl.ZipFile();
    const sizeBytes = 270 * 1024 * 1024;
    async function* zeros() {
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < sizeBytes / chunk.length; i++) yield chunk;
    }
    bomb.addReadStream(Readable.from(zeros()), "bomb.bin", { size: sizeBytes });
    bomb.end();
    const chunks: Buffer[] = [];
    for await (const chunk of bomb.outputStream) chunks.push(chunk as Buffer);
    const zip = Buffer.concat(chunks);
    assert.ok(zip.length < 1024 * 1024, `the bomb is small (${zip.length} bytes)`);
    const started = Date.now();
    const error = await (uploads.CreateFunction as Upload)(zip).then(() => undefined, (e: unknown) => e as Error);
    assert.equal(error?.name, "InvalidParameterValueException");
    assert.match(error?.message ?? "", /^Unzipped size must be smaller than 262144000 bytes/);
    assert.ok(Date.now() - started < 5_000, "refused from the headers, not after inflating 270 MB");
    assertNothingEscaped();
    await assertStillServing();
  });

  it("merges layers without writing through an earlier layer's symlinks, and refuses links that only the merge makes unsafe", async () => {
    const publish = async (name: string, entries: RawEntry[]) =>
      (await suite.client.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: rawZip(entries) } }))).LayerVersionArn ?? "";
    const linked = await publish("merge-a", [{ name: "real/kept.txt", content: "a" }, { name: "tool", content: "real", mode: LINK }]);
    const over = await publish("merge-c", [{ name: "tool/over.txt", content: "c" }, { name: "esc/merged-escape", content: "pwned" }]);
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "merged", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Layers: [linked, over],
      Code: { ZipFile: rawZip([{ name: "index.js", content: "const fs = require('node:fs');\nexports.handler = async () => ({ real: fs.readdirSync('/opt/real'), tool: fs.readdirSync('/opt/tool'), toolIsLink: fs.lstatSync('/opt/tool').isSymbolicLink() });" }]) },
    }));
    const result = await invoke(suite.client, "merged");
    assert.deepEqual(result.json, { real: ["kept.txt"], tool: ["over.txt"], toolIsLink: false }, "a later layer's directory replaces an earlier layer's link; nothing lands in its target");

    // Each layer is safe alone; merged, `esc -> d/..` with `d -> .` is the code root beside /opt.
    const escape = await publish("merge-esc", [{ name: "esc", content: "d/..", mode: LINK }]);
    const dot = await publish("merge-dot", [{ name: "d", content: ".", mode: LINK }]);
    const create = (name: string, layers: string[]) => suite.client.send(new CreateFunctionCommand({
      FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Layers: layers, Code: { ZipFile: rawZip([{ name: "index.js", content: HANDLER }]) },
    }));
    const error = await create("merged-escape", [escape, dot]).then(() => undefined, (e: unknown) => e as Error);
    assert.equal(error?.name, "InvalidParameterValueException");
    assert.match(error?.message ?? "", /layers, merged into \/opt in order, make an unsafe link: symlink 'esc' points outside \/opt \('d\/\.\.'\)/);
    // A third layer whose directory `esc/` lands on that link replaces it (never writes through it), so that merge is safe.
    await create("merged-replaced", [escape, dot, over]);
    const codeRoot = join(suite.unkai.dataDir, "code");
    assert.equal(existsSync(join(codeRoot, "merged-escape")), false, "nothing was written beside the merged /opt");
    assertNothingEscaped();
  });

  it("keeps links that stay inside the package working (node_modules/.bin, relative links, layers)", async () => {
    const layer = await suite.client.send(new PublishLayerVersionCommand({
      LayerName: "linked",
      Content: { ZipFile: rawZip([
        { name: "nodejs/node_modules/greeter/impl.js", content: "exports.greet = () => 'hello through a layer link';" },
        { name: "nodejs/node_modules/greeter/index.js", content: "module.exports = require('./current/impl.js');" },
        { name: "nodejs/node_modules/greeter/current", content: ".", mode: LINK },
      ]) },
    }));
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "linked", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Layers: [layer.LayerVersionArn ?? ""],
      Code: { ZipFile: rawZip([
        { name: "index.js", content: [
          "const { readFileSync, readlinkSync } = require('node:fs');",
          "const { greet } = require('greeter');",
          "exports.handler = async () => ({ bin: readlinkSync('node_modules/.bin/tool'), tool: require('./node_modules/.bin/tool'), lib: require('./lib/impl.js'), self: readFileSync('a/b/a/b/index.js', 'utf8').length > 0, layer: greet() });",
        ].join("\n") },
        { name: "node_modules/tool/cli.js", content: "module.exports = 'tool ran';" },
        { name: "node_modules/.bin/tool", content: "../tool/cli.js", mode: LINK },
        { name: "src/impl.js", content: "module.exports = 'impl via lib';" },
        { name: "lib", content: "src", mode: LINK },
        { name: "a/b", content: "..", mode: LINK },
      ]) },
    }));
    const result = await invoke(suite.client, "linked");
    assert.equal(result.functionError, undefined, result.payload);
    assert.deepEqual(result.json, { bin: "../tool/cli.js", tool: "tool ran", lib: "impl via lib", self: true, layer: "hello through a layer link" });
  });
});

describe("unkai deploy with symlinks in the folder", () => {
  const suite = unkaiSuite({ UNKAI_PYTHON: "/nonexistent/python3" });
  const project = mkdtempSync(join(tmpdir(), "unkai-deploy-links-"));
  after(() => rmSync(project, { recursive: true, force: true }));

  function deploy(dir: string, name: string) {
    return unkaiCli(REPO_ROOT, ["deploy", dir, "--name", name, "--runtime", "nodejs20.x", "--handler", "index.handler", "--endpoint", suite.unkai.url]);
  }

  it("stores links that stay inside as links, and refuses links to host files or folders outside with a clear error", async () => {
    const app = join(project, "app");
    mkdirSync(join(app, "node_modules", "tool"), { recursive: true });
    mkdirSync(join(app, "node_modules", ".bin"), { recursive: true });
    writeFileSync(join(app, "node_modules", "tool", "cli.js"), "module.exports = 'tool ran';");
    symlinkSync("../tool/cli.js", join(app, "node_modules", ".bin", "tool"));
    writeFileSync(join(app, "index.js"), "const { readlinkSync } = require('node:fs');\nexports.handler = async () => ({ link: readlinkSync('node_modules/.bin/tool'), tool: require('./node_modules/.bin/tool') });");
    const ok = await deploy(app, "linked-deploy");
    assert.equal(ok.code, 0, ok.stderr);
    const result = await invoke(suite.client, "linked-deploy");
    assert.deepEqual(result.json, { link: "../tool/cli.js", tool: "tool ran" });

    symlinkSync("/etc/shadow", join(app, "secret"));
    const host = await deploy(app, "host-file");
    assert.notEqual(host.code, 0);
    assert.match(host.stderr, /symlink 'secret' points to absolute path '\/etc\/shadow'.*copy the file into the folder, or remove the link/);
    rmSync(join(app, "secret"));

    mkdirSync(join(project, "private"));
    writeFileSync(join(project, "private", "key.pem"), "secret key");
    symlinkSync("../private", join(app, "shared"));
    const sibling = await deploy(app, "outside-dir");
    assert.notEqual(sibling.code, 0);
    assert.match(sibling.stderr, /symlink 'shared' points outside the package \('\.\.\/private'\)/);
    assert.equal(existsSync(join(suite.unkai.dataDir, "code")) ? readdirSync(join(suite.unkai.dataDir, "code")).some((name) => name.startsWith(".tmp-")) : false, false);
  });
});

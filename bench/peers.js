// Peers the bench measures Unkai beside (serverless-offline, dynalite) are not dependencies of Unkai:
// each is installed on first use into a cache directory outside the repository
// (~/.cache/unkai-bench/<name>, or $XDG_CACHE_HOME/unkai-bench/<name>) with `npm install --no-save
// --prefix`. When the install fails (no network, say), the caller reports "not run: <reason>".
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";

const INSTALL_TIMEOUT_MS = 5 * 60_000;

/** The cache directory a peer is installed into. */
export function peerDir(name) {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "unkai-bench", name);
}

/** The version of package `name` installed in `dir`, or undefined. */
export function installedVersion(dir, name) {
  try {
    return JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

/** Runs `npm install --no-save --prefix dir …packages`; resolves its exit code, output to `logFile`. */
function npmInstall(dir, packages, logFile) {
  return new Promise((resolve, reject) => {
    const fd = openSync(logFile, "a");
    // One retry, not npm's two with up to a minute between: an offline machine gives up in seconds.
    const args = ["install", "--no-save", "--no-audit", "--no-fund", "--fetch-retries=1", "--fetch-retry-maxtimeout=10000", "--prefix", dir, ...packages];
    const child = spawn("npm", args, { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    const timer = setTimeout(() => child.kill("SIGKILL"), INSTALL_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
  });
}

/** The line of npm's output that says why it failed (its FetchError or the first error line). */
function npmReason(logFile) {
  const lines = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").map((line) => line.replace(/^npm (error|ERR!) ?/, "").trim()) : [];
  const reason = lines.find((line) => /^(FetchError|Error):/.test(line)) ?? lines.find((line) => line !== "") ?? "no output";
  return reason.slice(0, 300);
}

/**
 * Installs `packages` into the peer's directory unless `installed(dir)` already finds fitting versions;
 * resolves { dir, versions } (what `installed` answered) or throws with npm's reason.
 */
export async function ensurePeer({ name, packages, installed, work, log }) {
  const dir = peerDir(name);
  const present = installed(dir);
  if (present) return { dir, versions: present };
  log(`installing ${packages.join(" ")} into ${dir} (first run only)`);
  mkdirSync(dir, { recursive: true });
  const logFile = join(work, `${name}-install.log`);
  const outcome = await npmInstall(dir, packages, logFile);
  const versions = installed(dir);
  if (!versions) throw new Error(`npm install ${packages.join(" ")} failed (exit ${outcome}): ${npmReason(logFile)}`);
  return { dir, versions };
}

/** A port nobody listens on right now (the OS picks it, for servers that need a number up front). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

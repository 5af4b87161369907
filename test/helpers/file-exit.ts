/** Servers a test file starts die with the file, however it ends. */

let exitsOnSigterm = false;

/**
 * Runs `kill` when this test file's process exits. The runner ends a file that outlives
 * --test-timeout with SIGTERM, whose default skips 'exit' handlers: the file's servers (Unkai,
 * PostgreSQL, nginx) would then outlive it, holding CPU and memory for the rest of the CI run.
 * So SIGTERM is turned into a plain exit, which runs them.
 */
export function whenFileExits(kill: () => void): void {
  process.once("exit", kill);
  if (exitsOnSigterm) return;
  exitsOnSigterm = true;
  process.once("SIGTERM", () => process.exit(143));
}

/** The `unkai` CLI: `unkai <command> [args]`, one file per command under commands/. */
import { CliError } from "./output.js";
import { COMMANDS } from "./commands/index.js";

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    printHelp();
    return;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unkai: unknown command '${name}'. Run \`unkai help\` to see the commands.`);
    process.exitCode = 2;
    return;
  }
  try {
    await (await command.load()).run(rest);
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`unkai ${name}: ${error.message}`);
      if (error.hint) console.error(`  ${error.hint}`);
      process.exitCode = error.exitCode;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`unkai ${name}: ${message}`);
    process.exitCode = 1;
  }
}

function printHelp(): void {
  console.log("Usage: unkai <command> [options]\n");
  for (const [name, command] of Object.entries(COMMANDS)) console.log(`  ${name.padEnd(8)} ${command.summary}`);
  console.log("\nRun `unkai <command> --help` for a command's options.");
}

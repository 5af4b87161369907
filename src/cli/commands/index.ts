/** The command registry: adding a command is one file and one line here. */
import type { Command } from "../output.js";
import { deploy } from "./deploy.js";
import { invoke } from "./invoke.js";
import { logs } from "./logs.js";
import { ls } from "./ls.js";
import { start } from "./start.js";

export const COMMANDS: Readonly<Record<string, Command>> = { start, deploy, invoke, logs, ls };

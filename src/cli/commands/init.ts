/** `unkai init [dir] [--runtime nodejs22.x|python3.12] [--name NAME]`: scaffolds a working project. */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CliError, type Command } from "../output.js";
import { PROJECT_FILE } from "../project/project-file.js";

const NODE_HELLO = `// A Lambda handler: deploy with \`unkai deploy\`, call with \`unkai invoke hello\`.
export const handler = async (event, context) => {
  console.log("event", JSON.stringify(event));
  return { message: \`Hello, \${event?.name ?? "world"}!\`, requestId: context.awsRequestId };
};
`;

const PYTHON_HELLO = `"""A Lambda handler: deploy with \`unkai deploy\`, call with \`unkai invoke hello\`."""


def handler(event, context):
    print("event", event)
    return {"message": f"Hello, {(event or {}).get('name', 'world')}!", "requestId": context.aws_request_id}
`;

export const init: Command = {
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { runtime: { type: "string" }, name: { type: "string" }, help: { type: "boolean" } },
    });
    if (values.help) return console.log("Usage: unkai init [dir] [--runtime nodejs22.x|python3.12] [--name NAME]");
    const runtime = values.runtime ?? "nodejs22.x";
    if (!["nodejs20.x", "nodejs22.x", "python3.11", "python3.12"].includes(runtime)) {
      throw new CliError(`--runtime ${runtime} is not one unkai init scaffolds.`, "Use nodejs20.x, nodejs22.x, python3.11 or python3.12.");
    }
    const root = resolve(positionals[0] ?? ".");
    if (existsSync(join(root, PROJECT_FILE))) throw new CliError(`${join(root, PROJECT_FILE)} exists already.`, "Edit it, or init another folder.");
    const name = (values.name ?? basename(root)).replace(/[^a-zA-Z0-9-_]/g, "-").slice(0, 40) || "project";
    const python = runtime.startsWith("python");
    const hello = join(root, "functions", "hello");
    mkdirSync(hello, { recursive: true });
    writeFileSync(join(root, PROJECT_FILE), `${JSON.stringify({ name, defaults: { runtime, memory: 128, timeout: 10, handler: python ? "app.handler" : "index.handler" } }, null, 2)}\n`);
    writeFileSync(join(hello, python ? "app.py" : "index.mjs"), python ? PYTHON_HELLO : NODE_HELLO);
    if (!existsSync(join(root, ".gitignore"))) writeFileSync(join(root, ".gitignore"), "node_modules/\n__pycache__/\n");
    console.log(`Created project ${name} in ${root} with functions/hello (${runtime}).`);
    console.log(`Next: cd ${positionals[0] ?? "."} && unkai deploy && unkai invoke hello`);
  },
};

/** Errors per service: one code, the status of the service that answers it; every code a service throws is in its table. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { CloudWatchLogsClient, DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetFunctionCommand } from "@aws-sdk/client-lambda";
import { COMMON_ERRORS, type ErrorTable } from "../src/core/errors.js";
import { ERROR_CATALOGUE, errorStatus } from "../src/services/error-catalogue.js";
import { API_GATEWAY_ERRORS } from "../src/services/apigateway/errors.js";
import { LAMBDA_ERRORS } from "../src/services/lambda/errors.js";
import { LOGS_ERRORS } from "../src/services/logs/errors.js";
import { SERVICE_MODULES } from "../src/services/registry.js";
import { REPO_ROOT } from "./helpers/paths.js";
import { unkaiSuite } from "./helpers/suite.js";

interface AwsFailure {
  readonly name: string;
  readonly message: string;
  readonly $metadata: { readonly httpStatusCode?: number };
}

async function failure(call: Promise<unknown>): Promise<AwsFailure> {
  try {
    await call;
  } catch (error) {
    return error as AwsFailure;
  }
  assert.fail("the call succeeded");
}

describe("errors per service", () => {
  const suite = unkaiSuite();

  it("answers ResourceNotFoundException with 404 in Lambda and 400 in CloudWatch Logs", async () => {
    const lambdaError = await failure(suite.client.send(new GetFunctionCommand({ FunctionName: "no-such-function" })));
    assert.equal(lambdaError.name, "ResourceNotFoundException");
    assert.equal(lambdaError.$metadata.httpStatusCode, 404);
    assert.match(lambdaError.message, /^Function not found: arn:aws:lambda:us-east-1:\d{12}:function:no-such-function$/);

    const logs = new CloudWatchLogsClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    try {
      const logsError = await failure(logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/no-such-function" })));
      assert.equal(logsError.name, "ResourceNotFoundException");
      assert.equal(logsError.$metadata.httpStatusCode, 400);
      assert.equal(logsError.message, "The specified log group does not exist.");
    } finally {
      logs.destroy();
    }
    assert.equal(errorStatus("lambda", "ResourceNotFoundException"), 404);
    assert.equal(errorStatus("logs", "ResourceNotFoundException"), 400);
  });

  it("keeps every code a service throws in that service's table", () => {
    const tables: Record<string, ErrorTable> = {
      lambda: LAMBDA_ERRORS,
      logs: LOGS_ERRORS,
      apigateway: API_GATEWAY_ERRORS,
      apigatewayv2: API_GATEWAY_ERRORS,
      unkai: LAMBDA_ERRORS,
    };
    let checked = 0;
    for (const [folder, table] of Object.entries(tables)) {
      for (const { file, code } of thrownCodes(join("src", "services", folder))) {
        checked++;
        assert.ok(code in table, `${file} throws ${code}, which the ${folder} error table does not have`);
      }
    }
    // The shared plumbing may answer for any service: its codes are in every JSON table.
    for (const dir of ["src/protocol", "src/server"]) {
      for (const { file, code } of thrownCodes(dir)) assert.ok(code in COMMON_ERRORS, `${file} throws ${code}, which COMMON_ERRORS does not have`);
    }
    // Lambda's domain rules reach callers through Lambda (and Unkai's endpoints, which share its table).
    for (const dir of ["src/core", "src/engine", "src/store", "src/async"]) {
      for (const { file, code } of thrownCodes(dir)) assert.ok(code in LAMBDA_ERRORS, `${file} throws ${code}, which the Lambda table does not have`);
    }
    assert.ok(checked >= 20, `the scan found only ${checked} throw sites in the services: is its pattern still right?`);
  });

  it("lists every service in the catalogue, S3 included", () => {
    for (const service of ["apigateway", "common", "lambda", "logs", "s3", "unkai"]) assert.ok(service in ERROR_CATALOGUE, `${service} is missing from the catalogue`);
    // Every registered module with a table of its own is in it, with exactly that table's statuses.
    const tabled = SERVICE_MODULES.filter((m) => m.errors.kind !== "answers");
    assert.deepEqual(Object.keys(ERROR_CATALOGUE).sort(), ["common", ...tabled.map((m) => m.name)].sort());
    for (const module of tabled) {
      const { errors } = module;
      const statuses = errors.kind === "json" ? Object.fromEntries(Object.entries(errors.table).map(([code, spec]) => [code, spec.status])) : errors.kind === "xml" ? errors.table : {};
      assert.deepEqual(ERROR_CATALOGUE[module.name], statuses, module.name);
    }
    assert.equal(errorStatus("s3", "NoSuchKey"), 404);
    assert.equal(errorStatus("logs", "NoSuchKey"), undefined);
  });
});

/** Literal codes in `new UnkaiError("…"`, `AuthenticationError("…"` and `parseJsonInput(…, "…")` under `dir`. */
function thrownCodes(dir: string): { file: string; code: string }[] {
  const found: { file: string; code: string }[] = [];
  for (const path of filesUnder(join(REPO_ROOT, dir))) {
    const source = readFileSync(path, "utf8");
    const file = relative(REPO_ROOT, path);
    for (const match of source.matchAll(/(?:UnkaiError|AuthenticationError)\(\s*"([A-Za-z]+)"/g)) found.push({ file, code: match[1] ?? "" });
    for (const match of source.matchAll(/parseJsonInput\([^;]*?,\s*"([A-Za-z]+)"\)/g)) found.push({ file, code: match[1] ?? "" });
  }
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith(".ts") ? [path] : [];
  });
}

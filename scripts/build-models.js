#!/usr/bin/env node
// Regenerates models/<service>.json: AWS's published service models, stripped to what Unkai's
// protocol codecs need (no documentation, examples or endpoint rules). See models/README.md.
//
// Sources, in order of authority:
//  1. botocore's JSON models (a recent botocore: 1.43.x has SQS on awsJson1_0 + awsQueryCompatible and
//     CloudWatch on rpcv2Cbor/json/query). Pass its `botocore/data` directory as the first argument.
//  2. For a service that has left awsQuery in that model but is still answered on it (SQS: the AWS CLI
//     2.9.19 from Debian speaks it), the query traits its older Query model had (xmlNamespace,
//     resultWrapper, locationName, error codes): botocore 1.29's data, the second argument.
//  3. The `awsQueryError` codes of awsQueryCompatible services, which botocore's JSON models drop:
//     read from the AWS SDK for JavaScript v3 clients' schemas (node_modules/@aws-sdk/client-<x>).
//
// Usage: node scripts/build-models.js [new-botocore-data] [old-botocore-data]
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const NEW = process.argv[2] ?? "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/botocore/data";
const OLD = process.argv[3] ?? "/usr/lib/python3/dist-packages/botocore/data";

/** Unkai's name (the SigV4 signing name) → botocore's folder, version and SDK v3 client. */
const SERVICES = {
  sqs: ["sqs", "2012-11-05", "client-sqs"],
  sns: ["sns", "2010-03-31", "client-sns"],
  dynamodb: ["dynamodb", "2012-08-10", "client-dynamodb"],
  dynamodbstreams: ["dynamodbstreams", "2012-08-10", "client-dynamodb-streams"],
  sts: ["sts", "2011-06-15", "client-sts"],
  logs: ["logs", "2014-03-28", "client-cloudwatch-logs"],
  events: ["events", "2015-10-07", "client-eventbridge"],
  scheduler: ["scheduler", "2021-06-30", "client-scheduler"],
  monitoring: ["cloudwatch", "2010-08-01", "client-cloudwatch"],
  iam: ["iam", "2010-05-08", "client-iam"],
  kinesis: ["kinesis", "2013-12-02", "client-kinesis"],
};

const METADATA_KEYS = ["apiVersion", "awsQueryCompatible", "endpointPrefix", "jsonVersion", "protocol", "protocols", "serviceId", "signingName", "targetPrefix", "xmlNamespace", "globalEndpoint"];
const OPERATION_KEYS = ["name", "http", "input", "output", "errors"];
const SHAPE_DROP = new Set(["documentation", "deprecated", "deprecatedMessage", "sensitive", "wrapper", "documentationUrl", "retryable", "event", "eventstream", "contextParam", "requiresLength", "streaming"]);
const REF_DROP = new Set(["documentation", "deprecated", "deprecatedMessage", "contextParam", "box", "idempotencyToken"]);

function readModel(root, folder, version) {
  const base = join(root, folder, version, "service-2.json");
  if (existsSync(base)) return JSON.parse(readFileSync(base, "utf8"));
  if (existsSync(`${base}.gz`)) return JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString("utf8"));
  return undefined;
}

function pick(value, keys) {
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]));
}

function stripRef(ref) {
  return Object.fromEntries(Object.entries(ref).filter(([k]) => !REF_DROP.has(k)));
}

function stripShape(shape) {
  const out = {};
  for (const [key, value] of Object.entries(shape)) {
    if (SHAPE_DROP.has(key)) continue;
    if (key === "members") out.members = Object.fromEntries(Object.entries(value).map(([name, ref]) => [name, stripRef(ref)]));
    else if (key === "member" || key === "key" || key === "value") out[key] = stripRef(value);
    else out[key] = value;
  }
  return out;
}

/** Copies the older Query model's XML/form names onto the same shapes of the newer model. */
function overlayQuery(model, old) {
  model.metadata.xmlNamespace ??= old.metadata.xmlNamespace;
  if (!model.metadata.protocols.includes("query")) model.metadata.protocols.push("query");
  for (const [name, op] of Object.entries(model.operations)) {
    const was = old.operations[name];
    if (was?.output?.resultWrapper && op.output) op.output.resultWrapper = was.output.resultWrapper;
  }
  for (const [name, shape] of Object.entries(model.shapes)) {
    const was = old.shapes[name];
    if (!was) continue;
    for (const part of ["member", "key", "value"]) if (was[part]?.locationName && shape[part]) shape[part].locationName = was[part].locationName;
    if (was.flattened && shape.flattened === undefined) shape.flattened = true;
    for (const [member, ref] of Object.entries(shape.members ?? {})) {
      const wasRef = was.members?.[member];
      if (wasRef?.locationName) ref.locationName = wasRef.locationName;
      if (wasRef?.flattened) ref.flattened = true;
    }
    if (was.error && !shape.error) shape.error = was.error;
  }
}

/** `export var QueueDoesNotExist$ = [-3, n0, _QDNE, { [_aQE]: [`AWS.SimpleQueueService.NonExistentQueue`, 400], …`. */
function queryErrorCodes(client) {
  const dir = join(ROOT, "node_modules", "@aws-sdk", client, "dist-es", "schemas");
  if (!existsSync(dir)) return {};
  const codes = {};
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const m of text.matchAll(/export var (\w+)\$ = \[-3, \w+, \w+,\s*\{ \[_aQE\]: \[`([^`]+)`, (\d+)\]/g)) codes[m[1]] = { code: m[2], httpStatusCode: Number(m[3]) };
  }
  return codes;
}

function build(name, [folder, version, client]) {
  const model = readModel(NEW, folder, version);
  if (!model) throw new Error(`no botocore model for ${folder} ${version} under ${NEW}`);
  model.metadata.protocols ??= [model.metadata.protocol];
  const old = readModel(OLD, folder, version);
  if (old?.metadata.protocol === "query" && !model.metadata.protocols.includes("query")) overlayQuery(model, old);
  if (model.metadata.awsQueryCompatible) {
    for (const [shape, error] of Object.entries(queryErrorCodes(client))) {
      const target = model.shapes[shape];
      if (target) target.error = { ...target.error, code: error.code, httpStatusCode: error.httpStatusCode, senderFault: error.httpStatusCode < 500 };
    }
  }
  const operations = Object.fromEntries(Object.entries(model.operations).map(([op, value]) => [op, pick(value, OPERATION_KEYS)]));
  const shapes = Object.fromEntries(Object.entries(model.shapes).map(([shape, value]) => [shape, stripShape(value)]));
  const lines = [
    "{",
    `"metadata": ${JSON.stringify(pick(model.metadata, METADATA_KEYS))},`,
    `"operations": {\n${Object.entries(operations).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(",\n")}\n},`,
    `"shapes": {\n${Object.entries(shapes).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(",\n")}\n}`,
    "}",
  ];
  writeFileSync(join(ROOT, "models", `${name}.json`), `${lines.join("\n")}\n`);
  return `${name}: ${model.metadata.protocols.join(", ")} (${Object.keys(operations).length} operations)`;
}

for (const [name, source] of Object.entries(SERVICES)) console.log(build(name, source));

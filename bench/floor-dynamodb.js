// The measured floor of a GetItem on this machine: the least a DynamoDB endpoint that checks SigV4 and
// reads SQLite can do. A bare node:http server that, per request, reads the body, verifies the header-form
// signature (canonical request, string to sign, HMAC under the day's signing key kept once derived; the
// loopback key `test`/`test`), parses the JSON, reads the item from a SQLite file of the same schema as
// Unkai's dynamodb_items, and answers `{"Item": …}`. No routing, no model validation, no expressions,
// metrics or IAM. It serves GetItem only, on the table bench/dynamodb.js loads (`items` rows written here).
// Usage: node bench/floor-dynamodb.js <sqlite file> [--no-signature]; prints "floor ready at URL".
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import Database from "better-sqlite3";
import { dataSet } from "./dynamodb.js";

const [file, flag] = process.argv.slice(2);
const checkSignature = flag !== "--no-signature";
const SECRET = "test";
const TABLE = "bench-items";

const db = new Database(file);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(`CREATE TABLE IF NOT EXISTS items (table_name TEXT NOT NULL, partition_key BLOB NOT NULL, sort_key BLOB NOT NULL, item TEXT NOT NULL,
  size INTEGER NOT NULL, PRIMARY KEY (table_name, partition_key, sort_key)) STRICT, WITHOUT ROWID`);
const upsert = db.prepare("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?)");
db.transaction(() => {
  for (const it of dataSet()) {
    const json = JSON.stringify(it);
    upsert.run(TABLE, Buffer.from(it.pk.S), Buffer.from(it.sk.S), json, json.length);
  }
})();
const get = db.prepare("SELECT item FROM items WHERE table_name = ? AND partition_key = ? AND sort_key = ?").pluck();

let kept = { scope: "", key: Buffer.alloc(0) };
function signingKey(scope) {
  if (kept.scope !== scope) {
    let key = `AWS4${SECRET}`;
    for (const part of scope.split("/")) key = createHmac("sha256", key).update(part).digest();
    kept = { scope, key };
  }
  return kept.key;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=[^/]+\/([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** Whether the request's Authorization header signs exactly this request (header form, path "/"). */
function signed(req, body) {
  const match = AUTH.exec(req.headers.authorization ?? "");
  if (!match) return false;
  const [, scope, names, signature] = match;
  const canonicalHeaders = names.split(";").map((name) => `${name}:${String(req.headers[name] ?? "").trim()}\n`).join("");
  const payloadHash = createHash("sha256").update(body).digest("hex");
  const canonical = `${req.method}\n/\n\n${canonicalHeaders}\n${names}\n${payloadHash}`;
  const date = req.headers["x-amz-date"] ?? "";
  const stringToSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${createHash("sha256").update(canonical).digest("hex")}`;
  const expected = createHmac("sha256", signingKey(scope)).update(stringToSign).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

function answer(res, status, text) {
  const body = Buffer.from(text);
  res.writeHead(status, { "Content-Type": "application/x-amz-json-1.0", "Content-Length": body.length });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    if (checkSignature && !signed(req, body)) return answer(res, 400, '{"__type":"com.amazon.coral.service#InvalidSignatureException"}');
    let input;
    try {
      input = JSON.parse(body.toString("utf8"));
    } catch {
      return answer(res, 400, '{"__type":"com.amazon.coral.validate#SerializationException"}');
    }
    const key = input?.Key;
    const item = typeof key?.pk?.S === "string" && typeof key?.sk?.S === "string" ? get.get(input.TableName, Buffer.from(key.pk.S), Buffer.from(key.sk.S)) : undefined;
    answer(res, 200, item === undefined ? "{}" : `{"Item":${item}}`);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => console.log(`floor ready at http://127.0.0.1:${server.address().port}`));

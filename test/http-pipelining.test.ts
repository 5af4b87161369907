/**
 * Responses finished within one event-loop turn are sent together at its end (src/server/turn-endings.ts):
 * each still reaches its own request. Pipelined requests on one connection (a fast read behind a write
 * acknowledged only after its fsync, an error among them) are answered in the order they were sent, on
 * the main port and on DynamoDB's endpoint served by a worker; many connections at once each get their own item.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { endpointOf } from "./helpers/dynamodb-endpoint.js";
import { signedRaw, type RawRequest } from "./helpers/raw-http.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** `requests` written to one connection in a single write, and the answers read back in the order they came. */
function pipelined(url: string, requests: readonly RawRequest[]): Promise<Answer[]> {
  const { hostname, port } = new URL(url);
  const wire = Buffer.concat(requests.map((r) => {
    const head = `${r.method ?? "GET"} ${r.path} HTTP/1.1\r\n${Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
    return Buffer.concat([Buffer.from(head), Buffer.from(r.body ?? "")]);
  }));
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(wire));
    let received = Buffer.alloc(0);
    const answers: Answer[] = [];
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      for (;;) {
        const end = received.indexOf("\r\n\r\n");
        if (end < 0) break;
        const head = received.subarray(0, end).toString("latin1");
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? "0");
        if (received.length < end + 4 + length) break;
        answers.push({ status: Number(head.split(" ")[1]), body: received.subarray(end + 4, end + 4 + length).toString("utf8") });
        received = received.subarray(end + 4 + length);
      }
      if (answers.length === requests.length) {
        socket.destroy();
        resolve(answers);
      }
    });
    socket.once("error", reject);
    socket.once("close", () => reject(new Error(`the connection closed after ${answers.length} of ${requests.length} answers`)));
  });
}

function dynamoRequest(url: string, operation: string, input: object): Promise<RawRequest> {
  const body = JSON.stringify(input);
  return signedRaw(url, {
    method: "POST", path: "/", service: "dynamodb", body,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}`, "content-length": String(Buffer.byteLength(body)) },
  });
}

describe("answers sent at the end of a turn", () => {
  let unkai: TestUnkai;
  let endpoint: string;
  before(async () => {
    unkai = await startUnkai({ UNKAI_DYNAMODB_WORKERS: "1", UNKAI_DYNAMODB_PORT: "0" });
    endpoint = endpointOf(unkai.stdout());
    const client = new DynamoDBClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await client.send(new CreateTableCommand({ TableName: "piped", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
    for (let i = 0; i < 60; i++) await client.send(new PutItemCommand({ TableName: "piped", Item: { pk: { S: `k${i}` }, n: { N: String(i) } } }));
    client.destroy();
  });
  after(async () => {
    assert.equal(await unkai.stop(), 0);
  });

  for (const where of ["main port", "DynamoDB endpoint"] as const) {
    it(`pipelined requests on one connection are answered in order (${where}): a read behind an fsynced write, an error among them`, async () => {
      const url = where === "main port" ? unkai.url : endpoint;
      const key = `written-${where.length}`;
      const requests = [
        await dynamoRequest(url, "GetItem", { TableName: "piped", Key: { pk: { S: "k1" } } }),
        await dynamoRequest(url, "PutItem", { TableName: "piped", Item: { pk: { S: key }, n: { N: "-1" } } }),
        await dynamoRequest(url, "GetItem", { TableName: "piped", Key: { pk: { S: "k2" } } }),
        await dynamoRequest(url, "GetItem", { TableName: "no-such-table", Key: { pk: { S: "k3" } } }),
        await dynamoRequest(url, "GetItem", { TableName: "piped", Key: { pk: { S: "k4" } } }),
      ];
      const answers = await pipelined(url, requests);
      const json = (i: number) => JSON.parse(answers[i]?.body ?? "") as { Item?: { n?: { N?: string } }; __type?: string };
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 400, 200], JSON.stringify(answers));
      assert.equal(json(0).Item?.n?.N, "1");
      assert.deepEqual(json(1), {}, "the write's answer, after its fsync, in its place");
      assert.equal(json(2).Item?.n?.N, "2");
      assert.match(String(json(3).__type), /ResourceNotFoundException$/);
      assert.equal(json(4).Item?.n?.N, "4");
      // Once acknowledged, the write is there for the next request.
      const [read] = await pipelined(url, [await dynamoRequest(url, "GetItem", { TableName: "piped", Key: { pk: { S: key } } })]);
      assert.equal((JSON.parse(read?.body ?? "") as { Item?: { n?: { N?: string } } }).Item?.n?.N, "-1");
    });

    it(`60 connections at once each get their own item (${where})`, async () => {
      const url = where === "main port" ? unkai.url : endpoint;
      const client = new DynamoDBClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
      try {
        for (let round = 0; round < 3; round++) {
          const items = await Promise.all(Array.from({ length: 60 }, (_, i) => client.send(new GetItemCommand({ TableName: "piped", Key: { pk: { S: `k${i}` } } }))));
          assert.deepEqual(items.map((out) => out.Item?.n?.N), Array.from({ length: 60 }, (_, i) => String(i)));
        }
      } finally {
        client.destroy();
      }
    });
  }
});

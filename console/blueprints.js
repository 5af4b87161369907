/** Blueprints for new functions: small, working code templates. */

const nodeHello = `export const handler = async (event, context) => {
  console.log("event", JSON.stringify(event));
  return { message: "Hello from Unkai!", requestId: context.awsRequestId };
};
`;

const pythonHello = `import json


def lambda_handler(event, context):
    print("event", json.dumps(event))
    return {"message": "Hello from Unkai!", "requestId": context.aws_request_id}
`;

const s3Node = `// Runs for each object put in a bucket (an S3 event notification).
export const handler = async (event) => {
  const objects = (event.Records ?? []).map((record) => ({
    bucket: record.s3.bucket.name,
    key: decodeURIComponent(record.s3.object.key.replace(/\\+/g, " ")),
    size: record.s3.object.size,
  }));
  for (const o of objects) console.log(\`new object s3://\${o.bucket}/\${o.key} (\${o.size} bytes)\`);
  return { processed: objects.length, objects };
};
`;

const httpNode = `// An HTTP API handler: API Gateway payload format 2.0 in, a proxy response out.
export const handler = async (event) => {
  const name = event.queryStringParameters?.name ?? "world";
  console.log(event.requestContext?.http?.method, event.rawPath);
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ hello: name, path: event.rawPath }),
  };
};
`;

const scheduledPython = `import datetime


def lambda_handler(event, context):
    # Runs on an EventBridge schedule (event["detail-type"] == "Scheduled Event").
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    print(f"scheduled job ran at {now} for rule {event.get('resources', ['?'])[0]}")
    return {"ranAt": now}
`;

export const BLUEPRINTS = [
  { id: "hello-node", title: "Hello world (Node.js)", description: "Logs the event and returns a greeting.", runtime: "nodejs20.x", handler: "index.handler", files: { "index.mjs": nodeHello }, testTemplate: "hello" },
  { id: "hello-python", title: "Hello world (Python)", description: "Logs the event and returns a greeting.", runtime: "python3.12", handler: "lambda_function.lambda_handler", files: { "lambda_function.py": pythonHello }, testTemplate: "hello" },
  { id: "s3-node", title: "Process S3 uploads (Node.js)", description: "Reads bucket, key and size from each record of an S3 event notification.", runtime: "nodejs20.x", handler: "index.handler", files: { "index.mjs": s3Node }, testTemplate: "s3-put" },
  { id: "http-node", title: "HTTP API handler (Node.js)", description: "Answers an API Gateway HTTP API (payload 2.0) request with JSON.", runtime: "nodejs20.x", handler: "index.handler", files: { "index.mjs": httpNode }, testTemplate: "apigw-v2" },
  { id: "scheduled-python", title: "Scheduled job (Python)", description: "Runs on an EventBridge schedule and reports when it ran.", runtime: "python3.12", handler: "lambda_function.lambda_handler", files: { "lambda_function.py": scheduledPython }, testTemplate: "eventbridge-scheduled", schedule: "rate(5 minutes)" },
];

/** "From scratch": the hello world of the runtime's language. */
export function scratchFor(runtime) {
  if (runtime.startsWith("python")) return { handler: "lambda_function.lambda_handler", files: { "lambda_function.py": pythonHello } };
  if (runtime.startsWith("nodejs")) return { handler: "index.handler", files: { "index.mjs": nodeHello } };
  return undefined;
}

export const RUNTIMES = ["nodejs20.x", "nodejs22.x", "python3.12", "python3.11", "provided.al2023", "provided.al2"];

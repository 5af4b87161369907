// Micro-benchmark of the IAM policy engine (not part of `npm run bench` yet): the cost of deciding one
// request for a principal with 10 attached policies, compiled once (as PolicyCache keeps them), against
// the evaluation the end-to-end figure in issue 20 budgets at 0.02 ms p50. Run after `npm run build`:
//   node bench/iam-eval.js
import { performance } from "node:perf_hooks";
import { compilePolicy, evaluate, findManagedPolicy, parsePolicy, requestContext } from "../dist/src/core/iam-policy/index.js";

const ACCOUNT = "000000000000";
const principal = { type: "assumed-role", arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/fn`, accountId: ACCOUNT, roleArn: `arn:aws:iam::${ACCOUNT}:role/app` };

/** Nine customer policies of five statements each (wildcards, a condition, a variable) plus AWSLambdaBasicExecutionRole. */
function policies() {
  const list = [];
  for (let i = 0; i < 9; i++) {
    const document = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: [`s3:Get*`, `s3:List*`], Resource: [`arn:aws:s3:::bucket-${i}`, `arn:aws:s3:::bucket-${i}/*`] },
        { Effect: "Allow", Action: "sqs:*", Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:queue-${i}-*` },
        { Effect: "Allow", Action: "dynamodb:GetItem", Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/t${i}`, Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } },
        { Effect: "Deny", Action: "s3:DeleteObject", Resource: `arn:aws:s3:::bucket-${i}/protected/*` },
        { Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::bucket-${i}/home/\${aws:PrincipalTag/team}/*` },
      ],
    };
    list.push(compilePolicy(parsePolicy(JSON.stringify(document), "managed"), `p${i}`));
  }
  const basic = findManagedPolicy("AWSLambdaBasicExecutionRole");
  list.push(compilePolicy(parsePolicy(JSON.stringify(basic.document), "managed"), "basic"));
  return list;
}

const identity = policies();
const requests = [
  { action: "lambda:InvokeFunction", resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:other` }, // implicit deny: every statement scanned
  { action: "logs:PutLogEvents", resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/fn:log-stream:s` }, // allowed by the last policy
  { action: "s3:GetObject", resource: "arn:aws:s3:::bucket-8/a/b.txt" },
];

for (const { action, resource } of requests) {
  const samples = [];
  for (let round = 0; round < 60_000; round++) {
    const start = performance.now();
    const context = requestContext({ action, resource, principal, sourceIp: "127.0.0.1", secureTransport: false, now: new Date(), region: "us-east-1" });
    evaluate(context, { identity });
    if (round >= 10_000) samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.floor(samples.length * q)].toFixed(4);
  console.log(`${action} on ${resource}: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms (10 policies, context + evaluation)`);
}

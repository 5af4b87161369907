// IAM enforcement's cost on the Invoke path (phase `iam` of `npm run bench`, issue 20): one Unkai with
// `UNKAI_IAM=enforce`, one warm hello function, invoked through the Invoke API with the account root's
// key (never evaluated) and with an IAM user's key whose 10 attached policies (9 customer policies of
// five statements each + the AWS managed AWSLambdaRole, the one that allows the call) are evaluated on
// every request, and with the key of a user whose one policy tests the function's `aws:ResourceTag/team`
// (a tag lookup on every request). Same server, same function, same run: the difference is what evaluation adds.
import { fmt, percentile, request } from "./lib.js";
import { measured } from "./throughput.js";

const ACCOUNT = "000000000000";
const USER = "bench-developer";
const ROLE_TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const HELLO_JS = `exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ hello: "world" }) });\n`;

/** One IAM Query call as the root; the XML answer (throws on a non-200). */
async function iam(url, action, params) {
  const body = new URLSearchParams({ Action: action, Version: "2010-05-08", ...params }).toString();
  const res = await request(`${url}/`, { method: "POST", service: "iam", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  if (res.status !== 200) throw new Error(`${action}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return res.body;
}

/** A customer policy like bench/iam-eval.js's: wildcards, a condition, a Deny and a policy variable, none about Lambda. */
function customerPolicy(i) {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: [`arn:aws:s3:::bucket-${i}`, `arn:aws:s3:::bucket-${i}/*`] },
      { Effect: "Allow", Action: "sqs:*", Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:queue-${i}-*` },
      { Effect: "Allow", Action: "dynamodb:GetItem", Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/t${i}`, Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } },
      { Effect: "Deny", Action: "s3:DeleteObject", Resource: `arn:aws:s3:::bucket-${i}/protected/*` },
      { Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::bucket-${i}/home/\${aws:PrincipalTag/team}/*` },
    ],
  });
}

/** An inline policy allowing the Invoke only where the function's `team` tag is the caller's (ABAC). */
const ABAC_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } } }],
});

/** A user tagged team=bench whose one policy tests the function's tags, and its key: every request looks the tags up. */
async function setUpAbac(url) {
  await iam(url, "CreateUser", { UserName: "bench-abac", "Tags.member.1.Key": "team", "Tags.member.1.Value": "bench" });
  await iam(url, "PutUserPolicy", { UserName: "bench-abac", PolicyName: "same-team", PolicyDocument: ABAC_POLICY });
  const key = await iam(url, "CreateAccessKey", { UserName: "bench-abac" });
  const field = (name) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(key)?.[1];
  return { accessKeyId: field("AccessKeyId"), secretAccessKey: field("SecretAccessKey") };
}

/** The execution role, the user with its 10 policies, and the user's access key. */
async function setUp(url) {
  await iam(url, "CreateRole", { RoleName: "bench", AssumeRolePolicyDocument: ROLE_TRUST });
  await iam(url, "CreateUser", { UserName: USER });
  for (let i = 0; i < 9; i++) {
    await iam(url, "CreatePolicy", { PolicyName: `bench-${i}`, PolicyDocument: customerPolicy(i) });
    await iam(url, "AttachUserPolicy", { UserName: USER, PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/bench-${i}` });
  }
  await iam(url, "AttachUserPolicy", { UserName: USER, PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaRole" });
  const key = await iam(url, "CreateAccessKey", { UserName: USER });
  const field = (name) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(key)?.[1];
  return { accessKeyId: field("AccessKeyId"), secretAccessKey: field("SecretAccessKey") };
}

/** Median over rounds of each wrk figure. */
function summary(runs) {
  const mid = (key) => percentile(runs.map((r) => r[key]), 50);
  return {
    rounds: runs.length, requests: runs.reduce((a, r) => a + r.requests, 0), errors: runs.reduce((a, r) => a + r.errors + r.non2xx, 0),
    p50: mid("p50"), p90: mid("p90"), p99: mid("p99"), rps: mid("rps"), serverMsPerReq: mid("serverMsPerReq"), wrkCpuPct: Math.max(...runs.map((r) => r.cpuPct)),
  };
}

/**
 * Latency: rounds of one-connection wrk runs, root and user alternating (who goes first alternates too);
 * throughput: one run each at `connections`, after a warm-up.
 */
export async function phaseIam({ startUnkai, stopUnkai, createFunction, invokePath, log, P }) {
  const unkai = await startUnkai("iam", { UNKAI_IAM: "enforce" });
  try {
    const user = await setUp(unkai.url);
    await createFunction(unkai.url, "bench-iam", "nodejs20.x", "index.handler", { "index.js": HELLO_JS });
    const url = `${unkai.url}${invokePath("bench-iam")}`;
    const abac = await setUpAbac(unkai.url);
    const tagged = await request(`${unkai.url}/2017-03-31/tags/${encodeURIComponent(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:bench-iam`)}`, {
      method: "POST", service: "lambda", headers: { "content-type": "application/json" }, body: JSON.stringify({ Tags: { team: "bench" } }),
    });
    if (tagged.status !== 204 && tagged.status !== 200) throw new Error(`TagResource: HTTP ${tagged.status} ${tagged.body.slice(0, 300)}`);
    const targets = { root: { url, sign: "lambda" }, user: { url, sign: "lambda", credentials: user }, abac: { url, sign: "lambda", credentials: abac } };
    for (const who of ["user", "abac"]) {
      const check = await request(url, { method: "POST", body: "{}", service: "lambda", credentials: targets[who].credentials });
      if (check.status !== 200) throw new Error(`the ${who} Invoke was refused: HTTP ${check.status} ${check.body.slice(0, 300)}`);
    }
    log("(n) IAM: warm invoke latency, root key vs a user with 10 policies vs an ABAC user (wrk, 1 connection)");
    for (const target of Object.values(targets)) await measured(unkai.pid, target, 1, P.latencyWarmSec, 0);
    const rounds = { root: [], user: [], abac: [] };
    const orders = [["root", "user", "abac"], ["user", "abac", "root"], ["abac", "root", "user"]];
    for (let round = 0; round < P.wrkRounds; round++) {
      for (const who of orders[round % orders.length]) rounds[who].push(await measured(unkai.pid, targets[who], 1, P.latencySec, 0));
    }
    const connections = 8;
    log(`(n) IAM: Invoke throughput, root key vs the users (wrk, ${connections} connections)`);
    const tput = {};
    for (const who of ["root", "user", "abac"]) tput[who] = await measured(unkai.pid, targets[who], connections, P.tputSec, P.tputWarmSec);
    return { root: summary(rounds.root), user: summary(rounds.user), abac: summary(rounds.abac), connections, tput };
  } finally {
    await stopUnkai(unkai);
  }
}

/** Summary rows; target: evaluation adds at most 0.02 ms to the p50. */
export function iamSummaryRows(s, verdict) {
  if (!s) return ["| (n) IAM evaluation, warm invoke p50 | not measured | | | | |"];
  const added = s.user.p50 - s.root.p50;
  return [
    `| (n) warm invoke p50 with IAM evaluation (user with 10 policies), 1 connection (wrk) | ${fmt(s.user.p50, 3)} ms | ${fmt(s.root.p50, 3)} ms (root key, same server) | ${fmt(s.user.p50 / s.root.p50)}× | added p50 ≤ 0.02 ms (got ${added >= 0 ? "+" : ""}${fmt(added, 3)} ms) | ${verdict(Number.isNaN(added) ? undefined : added <= 0.02)} |`,
    `| (n) Invoke throughput with IAM evaluation, ${s.connections} connections (wrk) | ${fmt(s.tput.user.rps, 0)} req/s | ${fmt(s.tput.root.rps, 0)} req/s (root key) | ${fmt((s.tput.user.rps / s.tput.root.rps) * 100, 1)} % | — | |`,
    ...(s.abac ? [`| (n) warm invoke p50 with an aws:ResourceTag policy (tags looked up per request), 1 connection (wrk) | ${fmt(s.abac.p50, 3)} ms | ${fmt(s.root.p50, 3)} ms (root key, same server) | ${fmt(s.abac.p50 / s.root.p50)}× | — | |`] : []),
  ];
}

export function iamSection(s) {
  const lines = ["## (n) IAM evaluation on the Invoke path", ""];
  lines.push(
    "One Unkai with `UNKAI_IAM=enforce` and one warm Node hello function, invoked with a signed `POST /2015-03-31/functions/bench-iam/invocations` (wrk) by three principals in the same run: the account root's loopback key (allowed without evaluation) and an IAM user's access key with 10 attached policies — 9 customer policies of five statements each (wildcards, a condition, a Deny, a policy variable; none about Lambda) and the AWS managed `AWSLambdaRole`, which allows the call — all evaluated on every request. Latency: rounds of one-connection runs, the principals taking turns in a rotating order, each figure the median over rounds; throughput: one run each after a warm-up. The difference between the rows is what resolving the user's policies and evaluating them adds (docs/iam.md, \"Caching\"). A third principal, a user tagged `team=bench` whose one inline policy allows the Invoke only where the function's `aws:ResourceTag/team` is its own, makes every request look the function's tags up (docs/iam.md, \"Tags as condition keys\").",
    "",
  );
  if (!s) return [...lines, "Not measured in this run.", ""];
  lines.push("| | requests | p50 (ms) | p90 (ms) | p99 (ms) | server CPU / request (ms) | throughput, " + s.connections + " connections (req/s) | errors |", "|---|---|---|---|---|---|---|---|");
  for (const [label, who] of [["root key", "root"], ["IAM user, 10 policies", "user"], ["IAM user, aws:ResourceTag policy", "abac"]]) {
    const l = s[who];
    if (!l) continue;
    const t = s.tput[who];
    lines.push(`| ${label} | ${l.requests} | ${fmt(l.p50, 3)} | ${fmt(l.p90, 3)} | ${fmt(l.p99, 3)} | ${fmt(l.serverMsPerReq, 3)} | ${fmt(t.rps, 0)} | ${l.errors + t.errors + t.non2xx} |`);
  }
  lines.push("", `Added by evaluation: p50 ${fmt(s.user.p50 - s.root.p50, 3)} ms, server CPU ${fmt(s.user.serverMsPerReq - s.root.serverMsPerReq, 3)} ms per request.`);
  if (s.abac) lines.push(`With the resource tag lookup (ABAC user): p50 ${fmt(s.abac.p50 - s.root.p50, 3)} ms, server CPU ${fmt(s.abac.serverMsPerReq - s.root.serverMsPerReq, 3)} ms per request.`);
  lines.push("");
  return lines;
}

/**
 * Hostile wildcard patterns: the engine refuses ones too complex with Event Ruler's reason, keeps
 * ordinary ones, and matches near-limit ones against adversarial text in bounded time (a
 * backtracking regex would take hours on these); PutRule and TestEventPattern on a real Unkai,
 * through SDK v3 and the AWS CLI v2, answer InvalidEventPatternException for a pattern bomb and
 * answer promptly for a slow-to-match event.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EventBridgeClient, PutRuleCommand, TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { EVENTBRIDGE, EventPattern, PatternError, type JsonValue } from "../src/core/event-pattern/index.js";
import { compileWildcard } from "../src/core/event-pattern/wildcard.js";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

const TOO_COMPLEX = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";
const REFUSED = `Event pattern is not valid. Reason: ${TOO_COMPLEX}`;
/** Far more than a linear matcher needs for these texts, far less than a backtracking one takes. */
const BOUND_MS = 5_000;

const reasonOf = (pattern: JsonValue): string | undefined => {
  try {
    EventPattern.compile(pattern, EVENTBRIDGE);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof PatternError);
    return error.reason;
  }
};

const event = (detail: JsonValue): JsonValue => ({ id: "1", account: "000000000000", source: "s", time: "2026-01-01T00:00:00Z", region: "us-east-1", "detail-type": "t", resources: [], detail });

/** Seven stars between `a`s then a `b` that never comes: the classic catastrophic-backtracking shape. */
const NEAR_LIMIT = "*a*a*a*a*a*a*a*b";
const ADVERSARIAL = "a".repeat(200_000);

function timed<T>(work: () => T): { value: T; ms: number } {
  const started = process.hrtime.bigint();
  const value = work();
  return { value, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

describe("wildcard complexity in the engine", () => {
  it("refuses many stars, long repeated runs after a star, and too many patterns in one field", () => {
    assert.equal(reasonOf({ detail: { f: [{ wildcard: "*a*b*c*d*e*f*g*h*i*j*k*l*" }] } }), TOO_COMPLEX);
    assert.equal(reasonOf({ detail: { f: [{ wildcard: `*${"a".repeat(12)}` }] } }), TOO_COMPLEX);
    assert.equal(reasonOf({ detail: { f: [{ "anything-but": { wildcard: ["x", "*a*a*a*a*a*a*a*a*a*a*a*a*"] } }] } }), TOO_COMPLEX);
    const many = Array.from({ length: 40 }, (_, i) => ({ wildcard: `*k${i}*v${i}*` }));
    assert.equal(reasonOf({ detail: { f: many } }), TOO_COMPLEX);
    // Syntax errors are still reported first, as AWS reports them.
    assert.equal(reasonOf({ f: [{ wildcard: "a**b" }] }), "Consecutive wildcard characters at pos 2");
  });

  it("keeps ordinary patterns (a few stars, several contains-patterns, an S3 key glob)", () => {
    for (const pattern of [
      { f: [{ wildcard: "arn:aws:s3:::bucket/*/logs/*.json.gz" }] },
      { f: ["*error*", "*warn*", "*fatal*", "*panic*", "*timeout*", "*refused*", "*denied*", "*broken*"].map((w) => ({ wildcard: w })) },
      { f: [{ wildcard: NEAR_LIMIT }] },
      { f: [{ "anything-but": { wildcard: ["*.tmp", "*.swp", "~*"] } }] },
    ]) assert.equal(reasonOf(pattern), undefined, JSON.stringify(pattern));
  });

  it("matches near-limit patterns against adversarial text in bounded time, correctly", () => {
    const pattern = EventPattern.compile({ detail: { f: [{ wildcard: NEAR_LIMIT }] } }, EVENTBRIDGE);
    const miss = timed(() => pattern.matches(event({ f: ADVERSARIAL })));
    assert.equal(miss.value, false);
    assert.ok(miss.ms < BOUND_MS, `took ${miss.ms} ms`);
    const hit = timed(() => pattern.matches(event({ f: `${ADVERSARIAL}b` })));
    assert.equal(hit.value, true);
    const but = EventPattern.compile({ detail: { f: [{ "anything-but": { wildcard: NEAR_LIMIT } }] } }, EVENTBRIDGE);
    const negated = timed(() => but.matches(event({ f: ADVERSARIAL })));
    assert.equal(negated.value, true);
    assert.ok(negated.ms < BOUND_MS, `took ${negated.ms} ms`);
  });

  it("matches globs exactly (pieces in order, escapes, empty runs)", () => {
    const cases: [string, string, boolean][] = [
      ["a*b", "ab", true], ["a*b", "a", false], ["*", "", true], ["a*a", "a", false], ["a*a", "aa", true],
      ["*x*y*", "zxzyz", true], ["*x*y*", "zyzxz", false], ["ab\\*c", "ab*c", true], ["ab\\*c", "abXc", false],
      ["a\\\\b", "a\\b", true], ["*ab*ab", "abab", true], ["*ab*ab", "aba", false], ["a*bc*c", "abcc", true], ["a*bc*c", "abc", false],
    ];
    for (const [glob, text, expected] of cases) assert.equal(compileWildcard(glob).test(text), expected, `${glob} ~ ${text}`);
  });
});

describe("wildcard complexity on a real Unkai", () => {
  let unkai: TestUnkai;
  let events: EventBridgeClient;
  before(async () => {
    unkai = await startUnkai();
    events = new EventBridgeClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    events?.destroy();
    assert.equal(await unkai.stop(), 0);
  });

  const bomb = JSON.stringify({ detail: { f: [{ wildcard: `*${"a*".repeat(30)}` }] } });

  it("PutRule and TestEventPattern refuse a pattern bomb (SDK v3)", async () => {
    const put = await events.send(new PutRuleCommand({ Name: "bomb", EventPattern: bomb })).catch((e: Error) => e);
    assert.ok(put instanceof Error);
    assert.equal(put.name, "InvalidEventPatternException");
    assert.equal(put.message, REFUSED);
    const test = await events.send(new TestEventPatternCommand({ EventPattern: bomb, Event: JSON.stringify(event({})) })).catch((e: Error) => e);
    assert.ok(test instanceof Error);
    assert.equal(test.name, "InvalidEventPatternException");
  });

  it("the AWS CLI v2 hears the same refusal", async () => {
    const run = await aws(unkai.url, ["events", "test-event-pattern", "--event-pattern", bomb, "--event", JSON.stringify(event({}))]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /InvalidEventPatternException/);
    assert.match(run.stderr, /Rule is too complex/);
  });

  it("answers TestEventPattern promptly for a near-limit pattern and an adversarial event", async () => {
    const started = Date.now();
    const answer = await events.send(new TestEventPatternCommand({
      EventPattern: JSON.stringify({ detail: { f: [{ wildcard: NEAR_LIMIT }] } }), Event: JSON.stringify(event({ f: ADVERSARIAL })),
    }));
    assert.equal(answer.Result, false);
    assert.ok(Date.now() - started < BOUND_MS * 2, `took ${Date.now() - started} ms`);
  });
});

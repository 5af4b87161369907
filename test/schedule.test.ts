/**
 * Schedule expressions (src/core/schedule): AWS's documented rate/cron/at examples, validation, next
 * firings from a fixed instant, ScheduleExpressionTimezone with daylight-saving transitions, and the
 * places where croner alone is wrong for AWS expressions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Cron } from "croner";
import { ScheduleExpressionError, nextFireAfter, parseSchedule, type Schedule } from "../src/core/schedule/index.js";

const FROM = Date.parse("2026-01-01T00:00:00Z"); // a Thursday
const RULE = { allowAt: false } as const;

function firings(schedule: Schedule, count: number, fromMs = FROM, anchorMs = FROM): string[] {
  const out: string[] = [];
  let after = fromMs;
  for (let i = 0; i < count; i++) {
    const next = nextFireAfter(schedule, after, { anchorMs });
    if (next === undefined) break;
    out.push(new Date(next).toISOString().replace(":00.000Z", "Z"));
    after = next;
  }
  return out;
}

describe("cron: AWS's documented examples, evaluated in UTC", () => {
  const cases: ReadonlyArray<readonly [expression: string, first: readonly string[]]> = [
    ["cron(0 10 * * ? *)", ["2026-01-01T10:00Z", "2026-01-02T10:00Z"]],
    ["cron(15 12 * * ? *)", ["2026-01-01T12:15Z", "2026-01-02T12:15Z"]],
    ["cron(0 18 ? * MON-FRI *)", ["2026-01-01T18:00Z", "2026-01-02T18:00Z", "2026-01-05T18:00Z"]],
    ["cron(0 8 1 * ? *)", ["2026-01-01T08:00Z", "2026-02-01T08:00Z"]],
    ["cron(0/15 * * * ? *)", ["2026-01-01T00:15Z", "2026-01-01T00:30Z", "2026-01-01T00:45Z", "2026-01-01T01:00Z"]],
    ["cron(5/20 * * * ? *)", ["2026-01-01T00:05Z", "2026-01-01T00:25Z", "2026-01-01T00:45Z", "2026-01-01T01:05Z"]],
    ["cron(0/10 * ? * MON-FRI *)", ["2026-01-01T00:10Z", "2026-01-01T00:20Z"]],
    ["cron(0/5 8-17 ? * MON-FRI *)", ["2026-01-01T08:00Z", "2026-01-01T08:05Z"]],
    ["cron(0 9 ? * 2#1 *)", ["2026-01-05T09:00Z", "2026-02-02T09:00Z", "2026-03-02T09:00Z"]],
    ["cron(0 10 ? * MON-FRI *)", ["2026-01-01T10:00Z"]],
    ["cron(0 8 L * ? *)", ["2026-01-31T08:00Z", "2026-02-28T08:00Z", "2026-03-31T08:00Z"]],
    ["cron(0 8 15W * ? *)", ["2026-01-15T08:00Z", "2026-02-16T08:00Z", "2026-03-16T08:00Z"]],
    ["cron(0 12 1W 8 ? 2026)", ["2026-08-03T12:00Z"]],
    ["cron(0 8 ? * 6#3 *)", ["2026-01-16T08:00Z", "2026-02-20T08:00Z"]],
    ["cron(0 8 ? * 6L *)", ["2026-01-30T08:00Z", "2026-02-27T08:00Z"]],
    ["cron(0 8 ? * L *)", ["2026-01-03T08:00Z", "2026-01-10T08:00Z"]],
    ["cron(0 12 ? * 1 *)", ["2026-01-04T12:00Z"]],
    ["cron(0 12 ? * 7 *)", ["2026-01-03T12:00Z"]],
    ["cron(0 12 ? * SUN,SAT *)", ["2026-01-03T12:00Z", "2026-01-04T12:00Z"]],
    ["cron(0 12 ? * mon *)", ["2026-01-05T12:00Z"]],
    ["cron(0 12 ? * 2 2027)", ["2027-01-04T12:00Z", "2027-01-11T12:00Z"]],
    ["cron(0 12 1 1 ? 2026/2)", ["2026-01-01T12:00Z", "2028-01-01T12:00Z", "2030-01-01T12:00Z"]],
    ["cron(0 12 1 JAN-MAR/2 ? *)", ["2026-01-01T12:00Z", "2026-03-01T12:00Z", "2027-01-01T12:00Z"]],
    ["cron(0 0-23/6 * * ? *)", ["2026-01-01T06:00Z", "2026-01-01T12:00Z"]],
    ["cron(30 1,13 * * ? *)", ["2026-01-01T01:30Z", "2026-01-01T13:30Z"]],
    ["cron(0 12 29 2 ? *)", ["2028-02-29T12:00Z"]],
    ["cron(0 12 L 2 ? 2028)", ["2028-02-29T12:00Z"]],
    ["cron(0 12 ? * 2#5 *)", ["2026-03-30T12:00Z", "2026-06-29T12:00Z"]],
    ["cron(* * * * ? *)", ["2026-01-01T00:01Z", "2026-01-01T00:02Z"]],
    ["cron(0 12 31 2 ? *)", []],
    ["cron(0 12 1 1 ? 2025)", []],
  ];
  for (const [expression, expected] of cases) {
    it(expression, () => assert.deepEqual(firings(parseSchedule(expression, RULE), expected.length || 1), expected));
  }
});

describe("schedule expressions AWS refuses", () => {
  const refused = [
    "cron(7 20 * * 1-7 *)", "cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(*/1 * * * *)", "cron(0 12 * * ? * *)",
    "cron(60 * * * ? *)", "cron(0 24 * * ? *)", "cron(0 12 0 * ? *)", "cron(0 12 32 * ? *)", "cron(0 12 1 13 ? *)",
    "cron(0 12 ? * 0 *)", "cron(0 12 ? * 8 *)", "cron(0 12 1 1 ? 1969)", "cron(0 12 1 1 ? 2200)", "cron(0 12 ? * 2#1,3#1 *)",
    "cron(0 12 ? * 2#6 *)", "cron(0 12 ? * 1/2 *)", "cron(0/0 * * * ? *)", "cron(? 12 * * ? *)", "cron(0 L * * ? *)",
    "cron(10-5 * * * ? *)", "cron(0 12 L-3 * ? *)", "cron(0 12 * FOO ? *)", "cron(15 12 ? * -1 *)", "cron(*/60 * * * ? *)",
    "rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(10 seconds)", "rate(1 week)", "rate(-1 minutes)", "rate(1.5 hours)",
    "rate(5  minutes)", "rate(5minutes)", "rate()", "at(2027-01-01T00:00:00)", "every(5 minutes)", "cron(0 12 * * ? *", "",
  ];
  for (const expression of refused) {
    it(JSON.stringify(expression), () => assert.throws(() => parseSchedule(expression, RULE), ScheduleExpressionError));
  }
  it("cron(*/60 …) is refused by AWS too (a step larger than the field is kept by croner, refused here)", () => {
    assert.throws(() => parseSchedule("cron(*/60 * * * ? *)", RULE), ScheduleExpressionError);
  });
  it("Scheduler refuses unknown time zones and impossible at() dates", () => {
    for (const [expression, timeZone] of [["rate(1 hour)", "Mars/Olympus"], ["at(2027-02-30T00:00:00)", "UTC"], ["at(2027-01-01T24:00:00)", "UTC"], ["at(2027-1-01T00:00:00)", "UTC"]] as const) {
      assert.throws(() => parseSchedule(expression, { allowAt: true, timeZone }), ScheduleExpressionError, expression);
    }
  });
});

describe("rate", () => {
  it("rate(1 minute) fires on whole minutes counted from the rule's minute", () => {
    const created = Date.parse("2026-01-01T10:00:30Z");
    assert.deepEqual(firings(parseSchedule("rate(1 minute)", RULE), 3, created, created), ["2026-01-01T10:01Z", "2026-01-01T10:02Z", "2026-01-01T10:03Z"]);
  });
  it("rate(5 minutes), rate(2 hours), rate(1 day)", () => {
    assert.deepEqual(firings(parseSchedule("rate(5 minutes)", RULE), 2), ["2026-01-01T00:05Z", "2026-01-01T00:10Z"]);
    assert.deepEqual(firings(parseSchedule("rate(2 hours)", RULE), 2), ["2026-01-01T02:00Z", "2026-01-01T04:00Z"]);
    assert.deepEqual(firings(parseSchedule("rate(1 day)", RULE), 2), ["2026-01-02T00:00Z", "2026-01-03T00:00Z"]);
  });
  it("after downtime the next firing is the next boundary, not the missed ones", () => {
    const schedule = parseSchedule("rate(1 minute)", RULE);
    const backAt = Date.parse("2026-01-01T05:17:42Z");
    assert.equal(new Date(nextFireAfter(schedule, backAt, { anchorMs: FROM }) ?? 0).toISOString(), "2026-01-01T05:18:00.000Z");
  });
});

describe("Scheduler: at(), time zones, start and end", () => {
  const SCHEDULER = (timeZone?: string) => ({ allowAt: true, ...(timeZone ? { timeZone } : {}) });
  it("at() fires once at its time, in UTC by default and in its time zone otherwise", () => {
    const utc = parseSchedule("at(2026-06-01T09:30:00)", SCHEDULER());
    assert.deepEqual(firings(utc, 3), ["2026-06-01T09:30Z"]);
    const tokyo = parseSchedule("at(2026-06-01T09:30:00)", SCHEDULER("Asia/Tokyo"));
    assert.deepEqual(firings(tokyo, 3), ["2026-06-01T00:30Z"]);
    assert.equal(nextFireAfter(tokyo, Date.parse("2026-06-01T00:30:00Z"), { anchorMs: FROM }), undefined);
  });
  it("cron in a time zone follows its daylight-saving changes", () => {
    const paris = parseSchedule("cron(0 9 * * ? *)", SCHEDULER("Europe/Paris"));
    assert.deepEqual(firings(paris, 3, Date.parse("2026-03-28T00:00:00Z")), ["2026-03-28T08:00Z", "2026-03-29T07:00Z", "2026-03-30T07:00Z"]);
  });
  it("a cron time that does not exist on a spring-forward day is skipped (croner alone fires it at 03:00)", () => {
    const from = Date.parse("2026-03-07T00:00:00Z");
    const ny = parseSchedule("cron(30 2 * * ? *)", SCHEDULER("America/New_York"));
    assert.deepEqual(firings(ny, 3, from), ["2026-03-07T07:30Z", "2026-03-09T06:30Z", "2026-03-10T06:30Z"]);
    const raw = new Cron("0 30 2 * * ? *", { timezone: "America/New_York", paused: true });
    assert.equal(raw.nextRuns(2, new Date(from))[1]?.toISOString(), "2026-03-08T07:00:00.000Z");
  });
  it("a repeated fall-back time fires once", () => {
    const ny = parseSchedule("cron(30 1 * * ? *)", SCHEDULER("America/New_York"));
    assert.deepEqual(firings(ny, 3, Date.parse("2026-10-31T00:00:00Z")), ["2026-10-31T05:30Z", "2026-11-01T05:30Z", "2026-11-02T06:30Z"]);
  });
  it("StartDate and EndDate bound the firings; a rate's first firing is its StartDate", () => {
    const schedule = parseSchedule("rate(1 hour)", SCHEDULER());
    const window = { anchorMs: FROM, startMs: Date.parse("2026-01-02T00:00:00Z"), endMs: Date.parse("2026-01-02T02:00:00Z"), firstAtStart: true };
    const first = nextFireAfter(schedule, FROM, window);
    assert.equal(new Date(first ?? 0).toISOString(), "2026-01-02T00:00:00.000Z");
    const second = nextFireAfter(schedule, first ?? 0, window);
    assert.equal(new Date(second ?? 0).toISOString(), "2026-01-02T01:00:00.000Z");
    assert.equal(new Date(nextFireAfter(schedule, second ?? 0, window) ?? 0).toISOString(), "2026-01-02T02:00:00.000Z");
    assert.equal(nextFireAfter(schedule, Date.parse("2026-01-02T02:00:00Z"), window), undefined);
  });
  it("a rate without StartDate fires at once from its change, then a period apart (AWS: \"starts invoking the target immediately\")", () => {
    const changed = Date.parse("2026-01-01T10:00:30Z");
    const window = { anchorMs: changed, firstAtStart: true };
    const schedule = parseSchedule("rate(5 minutes)", SCHEDULER());
    const first = nextFireAfter(schedule, changed - 1, window);
    assert.equal(new Date(first ?? 0).toISOString(), "2026-01-01T10:00:30.000Z");
    assert.equal(new Date(nextFireAfter(schedule, first ?? 0, window) ?? 0).toISOString(), "2026-01-01T10:05:30.000Z");
    assert.equal(new Date(nextFireAfter(schedule, Date.parse("2026-01-01T11:02:00Z"), window) ?? 0).toISOString(), "2026-01-01T11:05:30.000Z", "after downtime: the next one due, not the missed ones");
  });
});

describe("what croner alone gets wrong for AWS expressions (why the adapter exists)", () => {
  const croner = (pattern: string) => () => new Cron(pattern, { timezone: "UTC", alternativeWeekdays: true, paused: true });
  it("croner refuses AWS's 0/15 and a bare L in day-of-week; the adapter accepts them", () => {
    assert.throws(croner("0 0/15 * * * ? *"));
    assert.throws(croner("0 0 8 ? * L *"));
    assert.doesNotThrow(() => parseSchedule("cron(0/15 * * * ? *)", RULE));
    assert.doesNotThrow(() => parseSchedule("cron(0 8 ? * L *)", RULE));
  });
  it("croner accepts what AWS refuses (weekday 8, year 1969, two # terms); the adapter refuses them", () => {
    for (const [raw, aws] of [["0 0 12 ? * 8 *", "cron(0 12 ? * 8 *)"], ["0 0 12 1 1 ? 1969", "cron(0 12 1 1 ? 1969)"], ["0 0 12 ? * 2#1,3#1 *", "cron(0 12 ? * 2#1,3#1 *)"]] as const) {
      assert.doesNotThrow(croner(raw), raw);
      assert.throws(() => parseSchedule(aws, RULE), ScheduleExpressionError, aws);
    }
  });
});

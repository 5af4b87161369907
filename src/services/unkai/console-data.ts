/** The /_unkai/ endpoints the console needs beyond the AWS APIs: metrics over time and saved test events. */
import { invalidParameter, notFound } from "../../core/errors.js";
import { aggregate, totals } from "../../core/metrics.js";
import { empty, json, type UnkaiRequest, type UnkaiResponse } from "../../protocol/http.js";
import { decodeUtf8 } from "../../protocol/utf8.js";
import type { InvocationStore, TestEventStore } from "../../store/ports.js";

export interface ConsoleDataDeps {
  readonly invocations: InvocationStore;
  readonly testEvents: TestEventStore;
  readonly functionExists: (name: string) => Promise<boolean>;
  readonly now?: () => number;
}

const DAY_MS = 86_400_000;
const MAX_RECORDS = 200_000;
const MAX_BUCKETS = 1_440;
/** As in Lambda's console: names of letters, digits, dots, hyphens and underscores, at most 25 characters. */
const EVENT_NAME = /^[A-Za-z0-9._-]{1,25}$/;
const MAX_EVENTS_PER_FUNCTION = 10;
/** An asynchronous invoke's payload limit: a test event larger than that could not be sent anyway. */
const MAX_EVENT_BYTES = 256 * 1024;

/** Answers the request when it is one of these endpoints, else `undefined`. Throws UnkaiError for bad input. */
export function consoleData(deps: ConsoleDataDeps): (request: UnkaiRequest) => Promise<UnkaiResponse | undefined> {
  const now = deps.now ?? Date.now;
  return async (request) => {
    if (request.method === "GET" && request.path === "/_unkai/metrics/summary") {
      const since = timeParam(request, "since", now() - 3_600_000, now());
      return json(200, { since, functions: await deps.invocations.countsSince(since) });
    }
    const metrics = /^\/_unkai\/functions\/([^/]+)\/metrics$/.exec(request.path);
    if (metrics?.[1] && request.method === "GET") {
      const name = await functionName(metrics[1], deps);
      const until = now();
      const since = timeParam(request, "since", until - 3_600_000, until);
      const periodSeconds = intParam(request, "period", 60, 1, 86_400);
      const periodMs = periodSeconds * 1000;
      if ((until - since) / periodMs > MAX_BUCKETS) {
        throw invalidParameter(`period: ${periodSeconds} s gives more than ${MAX_BUCKETS} buckets since ${new Date(since).toISOString()}; use a longer period.`);
      }
      // Buckets start on whole periods, so charts read 12:00, 12:05… rather than odd instants.
      const from = Math.floor(since / periodMs) * periodMs;
      const records = await deps.invocations.between(name, from, until, MAX_RECORDS);
      return json(200, { functionName: name, since: from, until, periodSeconds, buckets: aggregate(records, from, until, periodMs), totals: totals(records) });
    }
    const list = /^\/_unkai\/functions\/([^/]+)\/test-events$/.exec(request.path);
    if (list?.[1] && request.method === "GET") {
      const name = await functionName(list[1], deps);
      return json(200, { testEvents: (await deps.testEvents.list(name)).map(render) });
    }
    const one = /^\/_unkai\/functions\/([^/]+)\/test-events\/([^/]+)$/.exec(request.path);
    if (one?.[1] && one[2] && (request.method === "PUT" || request.method === "DELETE")) {
      const name = await functionName(one[1], deps);
      const eventName = decodeSegment(one[2]);
      if (!EVENT_NAME.test(eventName)) {
        throw invalidParameter("Test event names are 1 to 25 letters, digits, dots, hyphens or underscores.");
      }
      if (request.method === "DELETE") {
        if (!(await deps.testEvents.delete(name, eventName))) throw notFound(`Function ${name} has no test event named ${eventName}.`);
        return empty(204);
      }
      const event = eventJson(request.body);
      const saved = await deps.testEvents.list(name);
      if (saved.length >= MAX_EVENTS_PER_FUNCTION && !saved.some((e) => e.name === eventName)) {
        throw invalidParameter(`A function keeps at most ${MAX_EVENTS_PER_FUNCTION} test events; delete one first.`);
      }
      const record = { name: eventName, event, updatedAt: now() };
      await deps.testEvents.put(name, record);
      return json(200, render(record));
    }
    return undefined;
  };
}

function render(event: { name: string; event: string; updatedAt: number }) {
  return { name: event.name, event: JSON.parse(event.event) as unknown, updatedAt: new Date(event.updatedAt).toISOString() };
}

/** A percent-encoded path segment; `%C0%AF` and other bytes that are not UTF-8 are the caller's error. */
function decodeSegment(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw invalidParameter(`The path segment '${encoded.slice(0, 100)}' is not valid percent-encoded UTF-8.`);
  }
}

async function functionName(encoded: string, deps: ConsoleDataDeps): Promise<string> {
  const name = decodeSegment(encoded);
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) throw invalidParameter(`Function names are 1 to 64 letters, digits, hyphens or underscores, not ${JSON.stringify(name)}.`);
  if (!(await deps.functionExists(name))) throw notFound(`Function not found: ${name}`);
  return name;
}

function eventJson(body: Buffer): string {
  if (body.length > MAX_EVENT_BYTES) throw invalidParameter(`A test event must be at most ${MAX_EVENT_BYTES} bytes; this one has ${body.length}.`);
  try {
    return JSON.stringify(JSON.parse(decodeUtf8(body)));
  } catch (error) {
    throw invalidParameter(`The test event is not valid JSON: ${(error as Error).message}`);
  }
}

/** An epoch-ms or ISO-8601 time, within the last 14 days. */
function timeParam(request: UnkaiRequest, name: string, fallback: number, now: number): number {
  const raw = request.query.get(name);
  if (raw === null || raw === "") return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value) || value > now || value < now - 14 * DAY_MS) {
    throw invalidParameter(`${name} must be a time within the last 14 days, as epoch milliseconds or ISO 8601, not ${JSON.stringify(raw)}.`);
  }
  return value;
}

function intParam(request: UnkaiRequest, name: string, fallback: number, min: number, max: number): number {
  const raw = request.query.get(name);
  if (raw === null || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw invalidParameter(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}.`);
  return value;
}

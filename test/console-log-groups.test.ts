/**
 * The console's grouping of a log group's events by invocation (console/log-groups.js, the Logs tab's
 * view), on events as FilterLogEvents returns them from Unkai: numeric event ids of any width.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./helpers/paths.js";

interface Event { eventId: string; timestamp: number; logStreamName: string; message: string }
interface Group { requestId: string | undefined; events: Event[]; report: string | undefined }

const { groupByRequest } = (await import(pathToFileURL(join(REPO_ROOT, "console", "log-groups.js")).href)) as { groupByRequest: (events: Event[]) => Group[] };

const event = (eventId: number, timestamp: number, message: string, logStreamName = "2026/12/04/[$LATEST]abc"): Event => ({ eventId: String(eventId), timestamp, logStreamName, message });

describe("console log grouping", () => {
  it("keeps a line in its invocation when the ids cross a power of ten within one millisecond (999 → 1000)", () => {
    const events = [
      event(998, 5, "START RequestId: 11111111-1111-1111-1111-111111111111 Version: $LATEST"),
      event(999, 5, "END RequestId: 11111111-1111-1111-1111-111111111111"),
      event(1000, 5, "REPORT RequestId: 11111111-1111-1111-1111-111111111111\tDuration: 1.00 ms"),
      event(1001, 7, "START RequestId: 22222222-2222-2222-2222-222222222222 Version: $LATEST"),
      event(1002, 7, "2026-12-04T00:00:00.007Z\t22222222-2222-2222-2222-222222222222\tINFO\tedited in the console"),
      event(1003, 7, "END RequestId: 22222222-2222-2222-2222-222222222222"),
      event(1004, 7, "REPORT RequestId: 22222222-2222-2222-2222-222222222222\tDuration: 2.00 ms"),
    ];
    const groups = groupByRequest([...events].reverse());
    assert.deepEqual(groups.map((g) => [g.requestId, g.events.map((e) => e.eventId)]), [
      ["11111111-1111-1111-1111-111111111111", ["998", "999", "1000"]],
      ["22222222-2222-2222-2222-222222222222", ["1001", "1002", "1003", "1004"]],
    ]);
    assert.deepEqual(groups.map((g) => g.report), ["Duration: 1.00 ms", "Duration: 2.00 ms"]);
  });

  it("orders AWS's fixed-width ids as text and lines outside an invocation in a group of their own", () => {
    const aws = (n: number) => `3${String(n).padStart(55, "0")}`;
    const groups = groupByRequest([
      { eventId: aws(2), timestamp: 1, logStreamName: "s", message: "INIT_START Runtime Version: nodejs:20" },
      { eventId: aws(3), timestamp: 1, logStreamName: "s", message: "START RequestId: 33333333-3333-3333-3333-333333333333 Version: $LATEST" },
      { eventId: aws(4), timestamp: 1, logStreamName: "s", message: "REPORT RequestId: 33333333-3333-3333-3333-333333333333\tDuration: 3.00 ms" },
    ]);
    assert.deepEqual(groups.map((g) => [g.requestId, g.events.length]), [[undefined, 1], ["33333333-3333-3333-3333-333333333333", 2]]);
  });
});

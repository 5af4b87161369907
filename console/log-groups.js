/**
 * A log group's events grouped by invocation, as the Logs tab shows them: pure, so node tests import it
 * (test/console-log-groups.test.ts) as well as the browser bundle.
 */

/** Lines between START and REPORT of one request id belong together; the request id is on START/END/REPORT and on console lines. */
export function groupByRequest(events) {
  const byStream = new Map();
  // Event ids are numbers written as decimal strings of any width (Unkai's) or of one width (AWS's):
  // the shorter is the smaller, so "1000" never sorts before "999" within one millisecond.
  const byId = (a, b) => String(a.eventId).length - String(b.eventId).length || String(a.eventId).localeCompare(String(b.eventId));
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp || byId(a, b));
  const groups = [];
  for (const e of sorted) {
    const start = /^START RequestId: (\S+)/.exec(e.message);
    const idInLine = /^(?:END|REPORT) RequestId: (\S+)/.exec(e.message)?.[1] ?? /^\S+\t([0-9a-f-]{36})\t/.exec(e.message)?.[1];
    let group = byStream.get(e.logStreamName);
    if (start || (idInLine && group?.requestId !== idInLine)) {
      group = { requestId: start?.[1] ?? idInLine, events: [], report: undefined };
      groups.push(group);
      byStream.set(e.logStreamName, group);
    } else if (!group) {
      group = { requestId: undefined, events: [], report: undefined };
      groups.push(group);
      byStream.set(e.logStreamName, group);
    }
    group.events.push(e);
    if (e.message.startsWith("REPORT")) {
      group.report = /Duration: [\d.]+ ms/.exec(e.message)?.[0];
      byStream.delete(e.logStreamName);
    }
  }
  return groups;
}

/**
 * Responses finished within one turn of the event loop are sent together at its end (setImmediate),
 * one after another, instead of each the moment it is ready. Each send to a client that is waiting on
 * its socket wakes that client up, and on a loaded host a wake-up costs about as much CPU as a small
 * request's own work: in a burst, only the first finds the client asleep. A response waits at most
 * for the rest of the turn that computed it (the requests already read in it; no timer is involved).
 * Measured on DynamoDB's endpoint (GetItem, 8 connections, same-run A/B): 10–15 % less server CPU per
 * request and 15–19 % more requests a second.
 */
import type { WireResponse } from "./body-reader.js";

let ending: { readonly res: WireResponse; readonly body: string | Uint8Array | undefined }[] = [];

/** Ends `res` (its head already written) with `body` at the end of this turn. */
export function endThisTurn(res: WireResponse, body: string | Uint8Array | undefined): void {
  ending.push({ res, body });
  if (ending.length === 1) setImmediate(endAll);
}

function endAll(): void {
  const batch = ending;
  ending = [];
  for (const { res, body } of batch) {
    try {
      if (body === undefined) res.end();
      else res.end(body);
    } catch {
      // One response that cannot be sent (its connection already broken) must not keep the others back.
      res.destroy();
    }
  }
}

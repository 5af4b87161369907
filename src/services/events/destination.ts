/**
 * Event buses as a destinations target, so other services put events on a bus without naming
 * EventBridge: Scheduler's EventBridge targets (`send`: the body is the event's detail, the
 * `Source`, `DetailType` and `Resources` attributes its envelope) and Lambda's asynchronous
 * destinations (`deliver`: AWS's "Lambda Function Invocation Result" events, source `lambda`).
 */
import { MissingTargetError, type DestinationTarget } from "../../async/destinations.js";
import type { DestinationRecord } from "../../async/invocation-record.js";
import { eventFromEntry, type PutEventsEntry } from "../../core/events/envelope.js";
import type { EventBusRecord } from "../../core/events/resources.js";
import type { DocumentStore } from "../../store/ports.js";
import { busOfArn, type EventDelivery } from "./delivery.js";

export interface BusDestinationDeps {
  readonly buses: DocumentStore<EventBusRecord>;
  readonly delivery: EventDelivery;
  readonly account: { readonly accountId: string; readonly region: string };
  readonly now: () => number;
}

export function busDestination({ buses, delivery, account, now }: BusDestinationDeps): DestinationTarget {
  const put = async (arn: string, entry: PutEventsEntry): Promise<void> => {
    const bus = busOfArn(arn) ?? "";
    if (bus !== "default" && !(await buses.get(bus))) throw new MissingTargetError(`Event bus ${bus} does not exist.`);
    const event = eventFromEntry(entry, { account: account.accountId, region: account.region, nowMs: now() });
    if ("ErrorCode" in event) throw new Error(`${event.ErrorCode}: ${event.ErrorMessage}`);
    await delivery.publish(bus, event);
  };
  return {
    kind: "event-bus",
    accepts: (arn) => busOfArn(arn) !== undefined,
    // A rule's event reaches another bus only where the bus's policy allows EventBridge (checked by the seam under enforcement).
    serviceAction: "events:PutEvents",
    exists: async (arn) => {
      const bus = busOfArn(arn);
      return bus === "default" || (bus !== undefined && (await buses.get(bus)) !== undefined);
    },
    deliver: (arn, record: DestinationRecord) => put(arn, {
      Source: "lambda",
      DetailType: `Lambda Function Invocation Result - ${record.requestContext.condition === "Success" ? "Success" : "Failure"}`,
      Detail: JSON.stringify(record),
      Resources: [record.requestContext.functionArn],
    }),
    send: (arn, message) => put(arn, {
      Source: message.attributes?.Source,
      DetailType: message.attributes?.DetailType,
      Detail: message.body,
      Resources: message.attributes?.Resources?.split(",").filter((r) => r !== ""),
    }),
  };
}

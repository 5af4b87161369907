/** CreateEventBus, DescribeEventBus, ListEventBuses, DeleteEventBus, PutPermission, PutEvents, TestEventPattern. */
import { UnkaiError } from "../../core/errors.js";
import { EVENTBRIDGE, EventPattern, PatternError, eventBridgeMessage, type JsonValue } from "../../core/event-pattern/index.js";
import { PUT_EVENTS_MAX_BYTES, entrySize, eventFromEntry, type PutEventsEntry } from "../../core/events/envelope.js";
import type { EventBusRecord, RuleRecord, Tag } from "../../core/events/resources.js";
import type { DocumentStore } from "../../store/ports.js";
import { policyAfterPut, type PutPermissionInput } from "./bus-policy.js";
import type { EventDelivery } from "./delivery.js";
import { DEFAULT_BUS, type Names } from "./names.js";

export interface BusDeps {
  readonly buses: DocumentStore<EventBusRecord>;
  readonly rules: DocumentStore<RuleRecord>;
  readonly names: Names;
  readonly account: { readonly accountId: string; readonly region: string };
  readonly delivery: EventDelivery;
  readonly now: () => number;
  /** When the default bus counts as created (it always exists). */
  readonly startedAt: number;
}

/** The members TestEventPattern requires of its Event (AWS answers "Parameter Event is not valid." without them). */
const REQUIRED_EVENT_FIELDS = ["id", "account", "source", "time", "region", "detail-type"] as const;

function describeBus(bus: EventBusRecord) {
  return {
    Name: bus.Name,
    Arn: bus.Arn,
    ...(bus.Description !== undefined ? { Description: bus.Description } : {}),
    ...(bus.Policy !== undefined ? { Policy: bus.Policy } : {}),
    CreationTime: new Date(bus.CreationTime),
    LastModifiedTime: new Date(bus.LastModifiedTime),
  };
}

export function busOperations(deps: BusDeps) {
  const { buses, names } = deps;
  const defaultBus = (): EventBusRecord => ({ Name: DEFAULT_BUS, Arn: names.busArn(DEFAULT_BUS), CreationTime: deps.startedAt, LastModifiedTime: deps.startedAt });
  const findBus = async (name: string): Promise<EventBusRecord | undefined> => (name === DEFAULT_BUS ? ((await buses.get(DEFAULT_BUS)) ?? defaultBus()) : buses.get(name));
  const requireBus = async (nameOrArn: string | undefined): Promise<EventBusRecord> => {
    const name = names.bus(nameOrArn);
    const bus = await findBus(name);
    if (!bus) throw new UnkaiError("ResourceNotFoundException", `Event bus ${name} does not exist.`);
    return bus;
  };

  return {
    async CreateEventBus(input: { Name: string; Description?: string; EventSourceName?: string; Tags?: Tag[] }) {
      if (input.Name === DEFAULT_BUS || (await buses.get(input.Name))) throw new UnkaiError("ResourceAlreadyExistsException", `Event bus ${input.Name} already exists.`);
      if (input.Name.includes("/")) throw new UnkaiError("ValidationException", "Event bus name must not contain '/'.");
      const now = deps.now();
      const bus: EventBusRecord = {
        Name: input.Name, Arn: names.busArn(input.Name), ...(input.Description !== undefined ? { Description: input.Description } : {}), ...(input.Tags ? { Tags: input.Tags } : {}), CreationTime: now, LastModifiedTime: now,
      };
      await buses.put(input.Name, bus);
      return { EventBusArn: bus.Arn, ...(bus.Description !== undefined ? { Description: bus.Description } : {}) };
    },
    async DescribeEventBus(input: { Name?: string }) {
      return describeBus(await requireBus(input.Name));
    },
    async ListEventBuses(input: { NamePrefix?: string; Limit?: number }) {
      const custom = (await buses.list()).filter((b) => b.Name !== DEFAULT_BUS);
      const all = [(await findBus(DEFAULT_BUS)) ?? defaultBus(), ...custom].filter((b) => b.Name.startsWith(input.NamePrefix ?? ""));
      return { EventBuses: all.slice(0, input.Limit ?? 100).map(describeBus) };
    },
    async DeleteEventBus(input: { Name: string }) {
      if (input.Name === DEFAULT_BUS) throw new UnkaiError("ValidationException", "Cannot delete event bus default.");
      const onBus = (await deps.rules.list()).some((r) => r.EventBusName === input.Name);
      if (onBus) throw new UnkaiError("ValidationException", `Cannot delete event bus ${input.Name} because it still has rules.`);
      await buses.delete(input.Name);
    },
    async PutPermission(input: PutPermissionInput) {
      const bus = await requireBus(input.EventBusName);
      await buses.put(bus.Name, { ...bus, Policy: policyAfterPut(bus, input), LastModifiedTime: deps.now() });
    },
    async RemovePermission(input: { EventBusName?: string; StatementId?: string; RemoveAllPermissions?: boolean }) {
      const bus = await requireBus(input.EventBusName);
      const policy = bus.Policy ? (JSON.parse(bus.Policy) as { Statement?: { Sid?: string }[] }) : { Statement: [] };
      const kept = input.RemoveAllPermissions ? [] : (policy.Statement ?? []).filter((s) => s.Sid !== input.StatementId);
      if (!input.RemoveAllPermissions && kept.length === (policy.Statement ?? []).length) {
        throw new UnkaiError("ResourceNotFoundException", "Statement with the provided id does not exist.");
      }
      const { Policy: _old, ...rest } = bus;
      await buses.put(bus.Name, { ...rest, ...(kept.length > 0 ? { Policy: JSON.stringify({ ...policy, Statement: kept }) } : {}), LastModifiedTime: deps.now() });
    },
    async PutEvents(input: { Entries: PutEventsEntry[] }) {
      const total = input.Entries.reduce((sum, entry) => sum + entrySize(entry), 0);
      if (total > PUT_EVENTS_MAX_BYTES) throw new UnkaiError("ValidationException", "Total size of the entries in the request is over the limit.");
      const now = deps.now();
      const results = await Promise.all(input.Entries.map(async (entry) => {
        const event = eventFromEntry(entry, { account: deps.account.accountId, region: deps.account.region, nowMs: now });
        if ("ErrorCode" in event) return event;
        const busName = names.bus(entry.EventBusName);
        if (!(await findBus(busName))) return { ErrorCode: "InvalidArgument", ErrorMessage: `Event bus ${busName} does not exist.` };
        await deps.delivery.publish(busName, event);
        return { EventId: event.id };
      }));
      return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
    },
    async TestEventPattern(input: { EventPattern: string; Event: string }) {
      let pattern: EventPattern;
      try {
        pattern = EventPattern.compile(input.EventPattern, EVENTBRIDGE);
      } catch (error) {
        if (error instanceof PatternError) throw new UnkaiError("InvalidEventPatternException", eventBridgeMessage(error));
        throw error;
      }
      let event: JsonValue;
      try {
        event = JSON.parse(input.Event) as JsonValue;
      } catch {
        throw new UnkaiError("ValidationException", "Parameter Event is not valid.");
      }
      if (typeof event !== "object" || event === null || Array.isArray(event) || REQUIRED_EVENT_FIELDS.some((f) => !(f in event))) {
        throw new UnkaiError("ValidationException", "Parameter Event is not valid.");
      }
      return { Result: pattern.matches(event) };
    },
  };
}

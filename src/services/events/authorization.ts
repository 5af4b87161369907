/**
 * EventBridge's IAM actions, derived from its model: `events:<Operation>` on the rule
 * (`arn:aws:events:<region>:<account>:rule/[<bus>/]<name>`) or bus (`event-bus/<name>`) the input names;
 * PutEvents on the bus of each entry; archives (CreateArchive also on its EventSourceArn bus) and replays
 * (StartReplay also on its EventSourceArn archive) by ArchiveName/ReplayName; connections and API destinations by name; a
 * ResourceARN as given; `*` for listings and TestEventPattern; PutTargets also iam:PassRole on each
 * target's RoleArn. test/iam-actions.test.ts.
 */
import type { Account } from "../../core/arn.js";
import { derivedAuthorization, memberOf, stringMember, type AuthorizationTable } from "../../protocol/codecs/derived-authorization.js";
import type { ServiceModel } from "../../protocol/codecs/model.js";

/** Operations on a kind of named resource other than rules and buses: its ARN's resource type. */
const NAMED: Readonly<Record<string, string>> = { Archive: "archive", Connection: "connection", ApiDestination: "api-destination", Replay: "replay", Endpoint: "endpoint" };

export function eventsAuthorization(model: ServiceModel, account: Account): AuthorizationTable {
  const prefix = `arn:aws:events:${account.region}:${account.accountId}`;
  /** A bus given by name or ARN (the default bus when omitted), as names.ts reads it. */
  const busOf = (nameOrArn: string | undefined) => {
    if (nameOrArn === undefined || nameOrArn === "") return "default";
    return nameOrArn.startsWith("arn:") ? (/:event-bus\/(.+)$/.exec(nameOrArn)?.[1] ?? nameOrArn) : nameOrArn;
  };
  const busArn = (bus: string) => `${prefix}:event-bus/${bus}`;
  return derivedAuthorization(model, {
    prefix: "events",
    // A target's RoleArn is a role EventBridge acts as.
    passedRoles: { service: "events.amazonaws.com", of: { PutTargets: (input) => (Array.isArray(input.Targets) ? (input.Targets as unknown[]) : []).map((target) => memberOf(target, "RoleArn")) } },
    resourceOf: (operation, input) => {
      const explicit = stringMember(input, "ResourceARN");
      if (explicit !== undefined) return explicit;
      if (operation === "PutEvents") {
        const entries = Array.isArray(input.Entries) ? (input.Entries as unknown[]) : [];
        return entries.map((e) => busArn(busOf(typeof e === "object" && e !== null ? stringMember(e as Record<string, unknown>, "EventBusName") : undefined)));
      }
      const rule = stringMember(input, "Rule") ?? (/Rule$/.test(operation) && !/^List/.test(operation) ? stringMember(input, "Name") : undefined);
      const bus = busOf(stringMember(input, "EventBusName"));
      if (rule !== undefined) return bus === "default" ? `${prefix}:rule/${rule}` : `${prefix}:rule/${bus}/${rule}`;
      const archive = stringMember(input, "ArchiveName");
      if (archive !== undefined) {
        // CreateArchive is also authorized on the bus it archives (the Service Authorization Reference lists both resources).
        const source = operation === "CreateArchive" ? stringMember(input, "EventSourceArn") : undefined;
        return source === undefined ? `${prefix}:archive/${archive}` : [`${prefix}:archive/${archive}`, source];
      }
      const replay = stringMember(input, "ReplayName");
      if (replay !== undefined) {
        // StartReplay reads the archive it names.
        const source = operation === "StartReplay" ? stringMember(input, "EventSourceArn") : undefined;
        return source === undefined ? `${prefix}:replay/${replay}` : [`${prefix}:replay/${replay}`, source];
      }
      const kind = Object.entries(NAMED).find(([word]) => operation.endsWith(word))?.[1];
      const name = stringMember(input, "Name");
      if (kind !== undefined && name !== undefined) return `${prefix}:${kind}/${name}`;
      if (/EventBus$/.test(operation) && name !== undefined) return busArn(busOf(name));
      if (operation === "PutPermission" || operation === "RemovePermission" || operation === "DescribeEventBus") return busArn(bus);
      return "*";
    },
  });
}

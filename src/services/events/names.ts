/** EventBridge names and ARNs: buses given by name or ARN, rule ARNs on the default and custom buses, archives and replays. */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";

export const DEFAULT_BUS = "default";

export interface Names {
  /** A bus named by name or ARN (`EventBusNameOrArn`); the default bus when omitted. */
  bus(nameOrArn: string | undefined): string;
  busArn(bus: string): string;
  ruleArn(bus: string, rule: string): string;
  archiveArn(archive: string): string;
  replayArn(replay: string): string;
  /** The archive an `archive/<name>` ARN of this account and Region names, or undefined. */
  archiveOfArn(arn: string): string | undefined;
  /** The bus an `event-bus/<name>` ARN of this account and Region names, or undefined. */
  ownBusOfArn(arn: string): string | undefined;
}

export function names(account: Account): Names {
  const prefix = `arn:aws:events:${account.region}:${account.accountId}`;
  return {
    bus(nameOrArn) {
      if (nameOrArn === undefined || nameOrArn === "") return DEFAULT_BUS;
      if (!nameOrArn.startsWith("arn:")) return nameOrArn;
      const match = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/(.+)$/.exec(nameOrArn);
      if (!match?.[1]) throw new UnkaiError("ValidationException", `Parameter EventBusName is not valid: ${nameOrArn} is not an event bus ARN.`);
      return match[1];
    },
    busArn: (bus) => `${prefix}:event-bus/${bus}`,
    archiveArn: (archive) => `${prefix}:archive/${archive}`,
    replayArn: (replay) => `${prefix}:replay/${replay}`,
    archiveOfArn: (arn) => (arn.startsWith(`${prefix}:archive/`) ? /^[.\-_A-Za-z0-9]{1,48}$/.exec(arn.slice(prefix.length + 9))?.[0] : undefined),
    ownBusOfArn: (arn) => (arn.startsWith(`${prefix}:event-bus/`) ? /^[/.\-_A-Za-z0-9]{1,256}$/.exec(arn.slice(prefix.length + 11))?.[0] : undefined),
    ruleArn: (bus, rule) => (bus === DEFAULT_BUS ? `${prefix}:rule/${rule}` : `${prefix}:rule/${bus}/${rule}`),
  };
}

/** Aliases: named pointers to a published version, optionally splitting traffic with a second one. */
import { invalidParameter } from "./errors.js";

export interface AliasRecord {
  readonly functionName: string;
  readonly name: string;
  readonly functionVersion: string;
  readonly description: string;
  /** Additional version → weight (0–1) of invocations routed to it. At most one entry. */
  readonly additionalVersionWeights: Readonly<Record<string, number>>;
  readonly revisionId: string;
}

const ALIAS_NAME = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;

export function validateAliasName(name: string): void {
  if (name.length < 1 || name.length > 128 || !ALIAS_NAME.test(name)) {
    throw invalidParameter(`Alias name '${name}' is invalid: use 1 to 128 letters, digits, hyphens or underscores, not only digits.`);
  }
}

export function validateRouting(functionVersion: string, weights: Readonly<Record<string, number>>): void {
  const entries = Object.entries(weights);
  if (entries.length > 1) throw invalidParameter("RoutingConfig.AdditionalVersionWeights can name at most one additional version.");
  for (const [version, weight] of entries) {
    if (!/^[0-9]+$/.test(version)) throw invalidParameter(`RoutingConfig version '${version}' must be a published version number.`);
    if (!(weight >= 0 && weight <= 1)) throw invalidParameter(`RoutingConfig weight ${weight} for version ${version} must be between 0.0 and 1.0.`);
    if (version === functionVersion) throw invalidParameter(`RoutingConfig cannot route to version ${version}: it is the alias's primary version.`);
    if (functionVersion === "$LATEST") throw invalidParameter("RoutingConfig is not supported on an alias that points to $LATEST.");
  }
}

/** Picks the version an invocation of the alias runs, `random` in [0, 1). */
export function routeAlias(alias: AliasRecord, random: number): string {
  let threshold = 0;
  for (const [version, weight] of Object.entries(alias.additionalVersionWeights)) {
    threshold += weight;
    if (random < threshold) return version;
  }
  return alias.functionVersion;
}

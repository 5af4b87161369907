/**
 * A bucket's lifecycle configuration in and out of S3's XML: PutBucketLifecycleConfiguration's
 * document validated as S3 validates it (rule ids, one filter form, actions and their numbers), and
 * the stored rules written back for GetBucketLifecycleConfiguration in the form they were given.
 */
import type { LifecycleFilter, LifecycleRule, LifecycleTransition } from "../../core/s3-bucket-settings.js";
import { S3Error } from "./errors.js";
import { text } from "./xml.js";

const MAX_RULES = 1000;
const MAX_ID_LENGTH = 255;
const MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema";

type Element = Record<string, unknown>;

/** An element that may repeat: one is parsed as a value, several as an array. */
const many = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const element = (value: unknown): Element | undefined => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Element) : value === "" ? {} : undefined);
const malformed = (why: string) => new S3Error("MalformedXML", `${MALFORMED} (${why}).`);

/** A whole number element: absent is undefined; anything else that is not digits is MalformedXML. */
function whole(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const raw = text(value).trim();
  if (!/^-?\d+$/.test(raw)) throw malformed(`${name} must be a whole number`);
  return Number(raw);
}

function positive(value: unknown, name: string, action: string): number | undefined {
  const number = whole(value, name);
  if (number !== undefined && number <= 0) throw new S3Error("InvalidArgument", `'${name}' for ${action} action must be a positive integer`, undefined, { ArgumentName: name, ArgumentValue: String(number) });
  return number;
}

/** `Date`: an ISO 8601 time at midnight UTC (S3 refuses any other time of day). */
function midnight(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const raw = text(value).trim();
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw malformed("Date must be an ISO 8601 date");
  if (ms % 86_400_000 !== 0) throw new S3Error("InvalidArgument", "'Date' must be at midnight GMT", undefined, { ArgumentName: "Date", ArgumentValue: raw });
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

function tagsOf(raw: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of many(raw)) {
    const entry = element(tag) ?? {};
    const key = text(entry.Key);
    if (key === "") throw malformed("a Tag needs a Key");
    if (key in tags) throw new S3Error("InvalidRequest", "Duplicate Tag Keys are not allowed.");
    tags[key] = text(entry.Value);
  }
  return tags;
}

/** The conditions of a `Filter` or its `And`: at most one of each, except tags. */
function conditions(raw: Element, form: LifecycleFilter["form"]): LifecycleFilter {
  const greater = whole(raw.ObjectSizeGreaterThan, "ObjectSizeGreaterThan");
  const less = whole(raw.ObjectSizeLessThan, "ObjectSizeLessThan");
  if ((greater ?? 0) < 0 || (less ?? 1) <= 0) throw new S3Error("InvalidRequest", "Object size filters must be positive numbers.");
  if (greater !== undefined && less !== undefined && greater >= less) throw new S3Error("InvalidRequest", "ObjectSizeGreaterThan must be less than ObjectSizeLessThan.");
  return { prefix: text(raw.Prefix), tags: tagsOf(raw.Tag), sizeGreaterThan: greater, sizeLessThan: less, form };
}

/** `Prefix` outside `Filter` (the old form), or `Filter` with one condition, or `Filter` with `And`. */
function filterOf(rule: Element): LifecycleFilter {
  const filter = rule.Filter === undefined ? undefined : element(rule.Filter);
  if (rule.Prefix !== undefined && filter !== undefined) throw malformed("a Rule has either Prefix or Filter, not both");
  if (filter === undefined) {
    if (rule.Prefix === undefined) throw malformed("a Rule needs a Filter or a Prefix");
    return { prefix: text(rule.Prefix), tags: {}, sizeGreaterThan: undefined, sizeLessThan: undefined, form: "legacy-prefix" };
  }
  const named = ["Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And"].filter((name) => filter[name] !== undefined);
  if (named.length > 1 || many(filter.Tag).length > 1) throw malformed("a Filter holds one condition; several go inside And");
  if (filter.And === undefined) return conditions(filter, "filter");
  const and = element(filter.And) ?? {};
  const parsed = conditions(and, "and");
  const count = (and.Prefix !== undefined ? 1 : 0) + Object.keys(parsed.tags).length + (parsed.sizeGreaterThan !== undefined ? 1 : 0) + (parsed.sizeLessThan !== undefined ? 1 : 0);
  if (count < 2 && Object.keys(parsed.tags).length === 0) throw malformed("And needs at least two conditions");
  return parsed;
}

function transitionsOf(raw: unknown, daysName: "Days" | "NoncurrentDays"): LifecycleTransition[] {
  return many(raw).map((value) => {
    const entry = element(value) ?? {};
    const storageClass = text(entry.StorageClass);
    if (storageClass === "") throw malformed("a Transition needs a StorageClass");
    const days = whole(entry[daysName], daysName);
    if (days !== undefined && days < 0) throw new S3Error("InvalidArgument", `'${daysName}' in the Transition action must be nonnegative`);
    const date = daysName === "Days" ? midnight(entry.Date) : undefined;
    if (daysName === "Days" && (days === undefined) === (date === undefined)) throw malformed("a Transition has Days or Date");
    return { days, date, storageClass, newerNoncurrentVersions: whole(entry.NewerNoncurrentVersions, "NewerNoncurrentVersions") };
  });
}

function expirationOf(raw: unknown, hasTagsOrSize: boolean): LifecycleRule["expiration"] {
  if (raw === undefined) return undefined;
  const entry = element(raw) ?? {};
  const days = positive(entry.Days, "Days", "Expiration");
  const date = midnight(entry.Date);
  const marker = entry.ExpiredObjectDeleteMarker === undefined ? undefined : text(entry.ExpiredObjectDeleteMarker).trim();
  if (marker !== undefined && marker !== "true" && marker !== "false") throw malformed("ExpiredObjectDeleteMarker is true or false");
  const set = [days, date, marker].filter((v) => v !== undefined).length;
  if (set !== 1) throw malformed("Expiration has one of Days, Date or ExpiredObjectDeleteMarker");
  if (marker !== undefined && hasTagsOrSize) throw new S3Error("InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with object tag or object size filters.");
  return { days, date, expiredObjectDeleteMarker: marker === undefined ? undefined : marker === "true" };
}

function noncurrentOf(raw: unknown): LifecycleRule["noncurrentExpiration"] {
  if (raw === undefined) return undefined;
  const entry = element(raw) ?? {};
  const days = positive(entry.NoncurrentDays, "NoncurrentDays", "NoncurrentVersionExpiration");
  if (days === undefined) throw malformed("NoncurrentVersionExpiration needs NoncurrentDays");
  const newer = whole(entry.NewerNoncurrentVersions, "NewerNoncurrentVersions");
  if (newer !== undefined && (newer < 1 || newer > 100)) throw new S3Error("InvalidArgument", "NewerNoncurrentVersions must be between 1 and 100.", undefined, { ArgumentName: "NewerNoncurrentVersions", ArgumentValue: String(newer) });
  return { days, newerNoncurrentVersions: newer };
}

function ruleOf(raw: unknown, index: number): LifecycleRule {
  const rule = element(raw) ?? {};
  const id = rule.ID === undefined ? `rule-${index + 1}` : text(rule.ID);
  if (id.length > MAX_ID_LENGTH) throw new S3Error("InvalidArgument", "ID length should not exceed allowed limit of 255", undefined, { ArgumentName: "ID", ArgumentValue: id });
  const status = text(rule.Status);
  if (status !== "Enabled" && status !== "Disabled") throw malformed("Status is Enabled or Disabled");
  const filter = filterOf(rule);
  const narrowed = Object.keys(filter.tags).length > 0 || filter.sizeGreaterThan !== undefined || filter.sizeLessThan !== undefined;
  const abort = rule.AbortIncompleteMultipartUpload === undefined ? undefined : element(rule.AbortIncompleteMultipartUpload) ?? {};
  const abortDays = abort && positive(abort.DaysAfterInitiation, "DaysAfterInitiation", "AbortIncompleteMultipartUpload");
  if (abort && abortDays === undefined) throw malformed("AbortIncompleteMultipartUpload needs DaysAfterInitiation");
  if (abort && narrowed) throw new S3Error("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with object tag or object size filters.");
  const parsed: LifecycleRule = {
    id, enabled: status === "Enabled", filter,
    expiration: expirationOf(rule.Expiration, narrowed),
    noncurrentExpiration: noncurrentOf(rule.NoncurrentVersionExpiration),
    abortIncompleteUploadDays: abortDays,
    transitions: transitionsOf(rule.Transition, "Days"),
    noncurrentTransitions: transitionsOf(rule.NoncurrentVersionTransition, "NoncurrentDays"),
  };
  const actions = [parsed.expiration, parsed.noncurrentExpiration, parsed.abortIncompleteUploadDays, ...parsed.transitions, ...parsed.noncurrentTransitions];
  if (actions.every((action) => action === undefined)) throw new S3Error("InvalidRequest", "At least one action needs to be specified in a rule");
  return parsed;
}

/** The rules of a `LifecycleConfiguration` element, validated. */
export function lifecycleRules(configuration: Element): LifecycleRule[] {
  const raw = many(configuration.Rule);
  if (raw.length === 0) throw malformed("a LifecycleConfiguration needs at least one Rule");
  if (raw.length > MAX_RULES) throw malformed(`a LifecycleConfiguration has at most ${MAX_RULES} rules`);
  const rules = raw.map(ruleOf);
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) throw new S3Error("InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule", undefined, { ArgumentName: "ID", ArgumentValue: rule.id });
    ids.add(rule.id);
  }
  return rules;
}

const tagElements = (tags: Readonly<Record<string, string>>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

function filterElement(filter: LifecycleFilter): Element {
  const conditions: Element = {
    ...(filter.prefix !== "" || filter.form !== "and" ? { Prefix: filter.prefix } : {}),
    ...(Object.keys(filter.tags).length > 0 ? { Tag: tagElements(filter.tags) } : {}),
    ...(filter.sizeGreaterThan !== undefined ? { ObjectSizeGreaterThan: filter.sizeGreaterThan } : {}),
    ...(filter.sizeLessThan !== undefined ? { ObjectSizeLessThan: filter.sizeLessThan } : {}),
  };
  if (filter.form === "legacy-prefix") return { Prefix: filter.prefix };
  if (filter.form === "and") return { Filter: { And: conditions } };
  // One condition: the one that was given (an empty Filter answers an empty Prefix, as S3 does).
  const named = Object.keys(conditions).filter((name) => name !== "Prefix" || filter.prefix !== "");
  return { Filter: named.length === 0 ? { Prefix: "" } : Object.fromEntries(named.map((name) => [name, conditions[name]])) };
}

function transitionElement(t: LifecycleTransition, daysName: "Days" | "NoncurrentDays"): Element {
  return {
    ...(t.date !== undefined ? { Date: t.date } : {}),
    ...(t.days !== undefined ? { [daysName]: t.days } : {}),
    ...(t.newerNoncurrentVersions !== undefined ? { NewerNoncurrentVersions: t.newerNoncurrentVersions } : {}),
    StorageClass: t.storageClass,
  };
}

/** The rules as GetBucketLifecycleConfiguration's `Rule` elements. */
export function ruleElements(rules: readonly LifecycleRule[]): Element[] {
  return rules.map((rule) => {
    const exp = rule.expiration;
    return {
      ...(exp ? { Expiration: { ...(exp.date !== undefined ? { Date: exp.date } : {}), ...(exp.days !== undefined ? { Days: exp.days } : {}), ...(exp.expiredObjectDeleteMarker !== undefined ? { ExpiredObjectDeleteMarker: exp.expiredObjectDeleteMarker } : {}) } } : {}),
      ID: rule.id,
      ...filterElement(rule.filter),
      Status: rule.enabled ? "Enabled" : "Disabled",
      ...(rule.transitions.length > 0 ? { Transition: rule.transitions.map((t) => transitionElement(t, "Days")) } : {}),
      ...(rule.noncurrentTransitions.length > 0 ? { NoncurrentVersionTransition: rule.noncurrentTransitions.map((t) => transitionElement(t, "NoncurrentDays")) } : {}),
      ...(rule.noncurrentExpiration ? { NoncurrentVersionExpiration: { NoncurrentDays: rule.noncurrentExpiration.days, ...(rule.noncurrentExpiration.newerNoncurrentVersions !== undefined ? { NewerNoncurrentVersions: rule.noncurrentExpiration.newerNoncurrentVersions } : {}) } } : {}),
      ...(rule.abortIncompleteUploadDays !== undefined ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: rule.abortIncompleteUploadDays } } : {}),
    };
  });
}

/**
 * Condition operators: each family compiled once per policy value, then tested against the request's
 * value(s) of the key. Semantics from the IAM User Guide ("IAM JSON policy elements: Condition
 * operators", "Single-valued vs. multivalued context keys"): values of one key are ORed (negated
 * operators: the request value must match none), a missing key fails every operator except the
 * negated ones, `…IfExists` and `ForAllValues:`, and `Null` tests presence itself.
 */
import { BlockList, isIP } from "node:net";
import { compilePattern, matchPattern, resolveText } from "./patterns.js";
import type { ConditionTest, ContextValue } from "./types.js";

type Keys = ReadonlyMap<string, ContextValue>;
/** One policy value, ready to test one request value. */
type ValueTest = (requestValue: string, keys: Keys) => boolean;
type Family = (policyValue: string, variables: boolean) => ValueTest;

const resolved = (policyValue: string, variables: boolean, keys: Keys) => resolveText(policyValue, variables, keys);

const stringEquals: Family = (p, v) => (r, keys) => resolved(p, v, keys) === r;
const stringEqualsIgnoreCase: Family = (p, v) => (r, keys) => resolved(p, v, keys)?.toLowerCase() === r.toLowerCase();
const stringLike: Family = (p, v) => {
  const pattern = compilePattern(p, { wildcards: "string", variables: v });
  return (r, keys) => matchPattern(pattern, r, keys);
};
const arnLike: Family = (p, v) => {
  const pattern = compilePattern(p, { wildcards: "arn", variables: v });
  return (r, keys) => matchPattern(pattern, r, keys);
};

function numeric(compare: (request: number, policy: number) => boolean): Family {
  return (p, v) => (r, keys) => {
    const policy = Number(resolved(p, v, keys));
    const request = Number(r);
    return r.trim() !== "" && !Number.isNaN(request) && !Number.isNaN(policy) && compare(request, policy);
  };
}

/** A date as IAM reads one: ISO 8601, or seconds since the epoch (aws:EpochTime). NaN otherwise. */
export function parseDate(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return Number.NaN;
  return Date.parse(value);
}

function date(compare: (request: number, policy: number) => boolean): Family {
  return (p, v) => (r, keys) => {
    const policy = parseDate(resolved(p, v, keys) ?? "");
    const request = parseDate(r);
    return !Number.isNaN(request) && !Number.isNaN(policy) && compare(request, policy);
  };
}

/** `::ffff:10.0.0.1` (how Node reports IPv4 clients on a dual-stack socket) is the IPv4 address. */
const plainIp = (address: string) => (address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

const ipAddress: Family = (p) => {
  const [address = "", prefix] = p.split("/");
  const family = isIP(plainIp(address));
  if (family === 0) return () => false;
  const list = new BlockList();
  const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
  list.addSubnet(plainIp(address), bits, family === 4 ? "ipv4" : "ipv6");
  return (r) => {
    const ip = plainIp(r);
    const kind = isIP(ip);
    return kind !== 0 && list.check(ip, kind === 4 ? "ipv4" : "ipv6");
  };
};

const bool: Family = (p, v) => (r, keys) => resolved(p, v, keys)?.toLowerCase() === r.toLowerCase();

/** Operator → its family and whether it is the negation of that family ("matches none"). */
const OPERATORS: ReadonlyMap<string, { readonly family: Family; readonly negated: boolean }> = new Map([
  ["StringEquals", { family: stringEquals, negated: false }],
  ["StringNotEquals", { family: stringEquals, negated: true }],
  ["StringEqualsIgnoreCase", { family: stringEqualsIgnoreCase, negated: false }],
  ["StringNotEqualsIgnoreCase", { family: stringEqualsIgnoreCase, negated: true }],
  ["StringLike", { family: stringLike, negated: false }],
  ["StringNotLike", { family: stringLike, negated: true }],
  ["NumericEquals", { family: numeric((a, b) => a === b), negated: false }],
  ["NumericNotEquals", { family: numeric((a, b) => a === b), negated: true }],
  ["NumericLessThan", { family: numeric((a, b) => a < b), negated: false }],
  ["NumericLessThanEquals", { family: numeric((a, b) => a <= b), negated: false }],
  ["NumericGreaterThan", { family: numeric((a, b) => a > b), negated: false }],
  ["NumericGreaterThanEquals", { family: numeric((a, b) => a >= b), negated: false }],
  ["DateEquals", { family: date((a, b) => a === b), negated: false }],
  ["DateNotEquals", { family: date((a, b) => a === b), negated: true }],
  ["DateLessThan", { family: date((a, b) => a < b), negated: false }],
  ["DateLessThanEquals", { family: date((a, b) => a <= b), negated: false }],
  ["DateGreaterThan", { family: date((a, b) => a > b), negated: false }],
  ["DateGreaterThanEquals", { family: date((a, b) => a >= b), negated: false }],
  ["Bool", { family: bool, negated: false }],
  ["BinaryEquals", { family: stringEquals, negated: false }],
  ["IpAddress", { family: ipAddress, negated: false }],
  ["NotIpAddress", { family: ipAddress, negated: true }],
  ["ArnEquals", { family: arnLike, negated: false }],
  ["ArnLike", { family: arnLike, negated: false }],
  ["ArnNotEquals", { family: arnLike, negated: true }],
  ["ArnNotLike", { family: arnLike, negated: true }],
]);

/** Every base operator name the validator accepts (`Null` has no family: it tests presence). */
export const CONDITION_OPERATORS: ReadonlySet<string> = new Set([...OPERATORS.keys(), "Null"]);

/** A compiled condition test: true when the request satisfies it. */
export type CompiledCondition = (keys: Keys) => boolean;

/** Compiles one test; `variables` is false for 2008-10-17 documents. */
export function compileCondition(test: ConditionTest, variables: boolean): CompiledCondition {
  const key = test.key.toLowerCase();
  if (test.operator === "Null") {
    const wantsAbsent = test.values.map((v) => v.toLowerCase() === "true");
    return (keys) => {
      const value = keys.get(key);
      const absent = value === undefined || (Array.isArray(value) && value.length === 0);
      return wantsAbsent.some((w) => w === absent);
    };
  }
  const spec = OPERATORS.get(test.operator);
  if (spec === undefined) return () => false;
  const tests = test.values.map((v) => spec.family(v, variables));
  // One request value satisfies the operator: any policy value matches it (negated: none does).
  const one = (value: string, keys: Keys) => tests.some((t) => t(value, keys)) !== spec.negated;
  return (keys) => {
    const raw = keys.get(key);
    const values = raw === undefined ? [] : typeof raw === "string" ? [raw] : raw;
    if (values.length === 0) return test.ifExists || test.set === "ForAllValues" || (spec.negated && test.set === undefined);
    if (test.set === "ForAllValues") return values.every((v) => one(v, keys));
    if (test.set === "ForAnyValue") return values.some((v) => one(v, keys));
    // A multivalued key without a set qualifier: positive operators need one match, negated ones need none.
    return spec.negated ? values.every((v) => one(v, keys)) : values.some((v) => one(v, keys));
  };
}

import type { AnythingButForm, Dialect, OperatorName } from "./types.js";

const ALL_OPERATORS: readonly OperatorName[] = [
  "exact", "prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr", "wildcard",
];
const ALL_ANYTHING_BUT: readonly AnythingButForm[] = ["prefix", "suffix", "equals-ignore-case", "wildcard"];

/**
 * EventBridge rules and TestEventPattern: the whole language. Numbers as the EventBridge docs state
 * ("between -5.0e9 and +5.0e9 inclusive … six digits to the right of the decimal point").
 */
export const EVENTBRIDGE: Dialect = {
  name: "eventbridge",
  operators: new Set(ALL_OPERATORS),
  anythingButForms: new Set(ALL_ANYTHING_BUT),
  affixIgnoreCase: true,
  orAllowed: true,
  nested: true,
  numericLimit: 5e9,
  numericDecimals: 6,
};

/**
 * Event-source-mapping filters and Pipes: the "Pipe support" column of EventBridge's operator table
 * says no to anything-but with prefix, suffix, equals-ignore-case or wildcard.
 */
export const EVENT_SOURCE_FILTER: Dialect = {
  ...EVENTBRIDGE,
  name: "event-source-filter",
  anythingButForms: new Set(),
};

/**
 * SNS filter policies (constraints page): numbers within ±1e9 with five decimals, at most five keys,
 * at most 150 combinations, no `wildcard`, no `anything-but` wildcard or equals-ignore-case.
 */
const SNS_BASE: Dialect = {
  name: "sns",
  operators: new Set(ALL_OPERATORS.filter((op) => op !== "wildcard")),
  anythingButForms: new Set<AnythingButForm>(["prefix", "suffix"]),
  affixIgnoreCase: true,
  orAllowed: true,
  nested: true,
  numericLimit: 1e9,
  numericDecimals: 5,
  maxKeys: 5,
  maxCombinations: 150,
};

/** SNS with `FilterPolicyScope: MessageBody`: nested policies over the JSON body. */
export const SNS_MESSAGE_BODY: Dialect = { ...SNS_BASE, name: "sns-message-body" };

/** SNS with `FilterPolicyScope: MessageAttributes` (the default): flat, keyed by attribute name. */
export const SNS_MESSAGE_ATTRIBUTES: Dialect = { ...SNS_BASE, name: "sns-message-attributes", nested: false };

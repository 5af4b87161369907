/**
 * An authorization table derived from a service model instead of written per operation: every
 * operation of the model is `<prefix>:<OperationName>` (the Service Authorization Reference names
 * nearly every action after its operation) on the resources a small per-service mapper reads from the
 * input (QueueUrl, TableName, Name …). Deriving from the model rather than from the implemented
 * operations means an operation added later is mapped the day it is implemented: no operation can be
 * silently allowed. CONTRIBUTING.md, "Map a service's operations to IAM actions".
 */
import { passRole, requestTagKeys, type ActionRequest, type ContextValue } from "../../core/iam-policy/index.js";
import type { ServiceModel } from "./model.js";

/** The resource ARNs one operation acts on, from its decoded input (`*` for none); several for batches over several resources. */
export type ResourceMapper = (operation: string, input: Record<string, unknown>) => string | readonly string[];

export interface DerivedAuthorizationOptions {
  /** The IAM service prefix (`sqs`, `dynamodb`, `events`). */
  readonly prefix: string;
  readonly resourceOf: ResourceMapper;
  /** Operations whose IAM action is not named after them (SQS's SendMessageBatch is sqs:SendMessage). */
  readonly actions?: Readonly<Record<string, string>>;
  /**
   * Operations that hand roles to the service to act as (a target's RoleArn), with the roles each reads
   * from its input: they also need iam:PassRole on each, with `iam:PassedToService` = `service`.
   */
  readonly passedRoles?: { readonly service: string; readonly of: Readonly<Record<string, (input: Record<string, unknown>) => readonly unknown[]>> };
  /** The service's own condition keys an operation supplies beside the tag keys (CloudWatch's `cloudwatch:AlarmActions`). */
  readonly keysOf?: (operation: string, input: Record<string, unknown>) => Readonly<Record<string, ContextValue>> | undefined;
}

export type AuthorizationTable = Readonly<Record<string, (input: Record<string, unknown>) => readonly ActionRequest[]>>;

export function derivedAuthorization(model: ServiceModel, { prefix, resourceOf, actions = {}, passedRoles, keysOf }: DerivedAuthorizationOptions): AuthorizationTable {
  const resolve = (operation: string) => (input: Record<string, unknown>): readonly ActionRequest[] => {
    const action = `${prefix}:${actions[operation] ?? operation}`;
    const resources = resourceOf(operation, input);
    const list = typeof resources === "string" ? [resources] : resources.length > 0 ? [...new Set(resources)] : ["*"];
    // Tags the request carries (TagResource, CreateQueue `tags`, PutRule `Tags`): aws:RequestTag/<key>, aws:TagKeys.
    const own = keysOf?.(operation, input);
    const tagKeys = requestTagKeys(input);
    const keys = own || tagKeys ? { ...tagKeys, ...own } : undefined;
    const needs = list.map((resource) => ({ action, resource: resource === "" ? "*" : resource, ...(keys ? { keys } : {}) }));
    const rolesOf = passedRoles?.of[operation];
    return rolesOf && passedRoles ? [...needs, ...passRole(rolesOf(input), passedRoles.service)] : needs;
  };
  return Object.fromEntries(Object.keys(model.operations).map((operation) => [operation, resolve(operation)]));
}

/** A member of a decoded input's nested value (a target's RoleArn), or undefined when the value is no object. */
export const memberOf = (value: unknown, name: string): unknown => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined);

/** A string member of a decoded input, or undefined. */
export const stringMember = (input: Record<string, unknown>, name: string): string | undefined => {
  const value = input[name];
  return typeof value === "string" ? value : undefined;
};

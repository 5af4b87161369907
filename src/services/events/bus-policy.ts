/**
 * An event bus's resource-based policy, as PutPermission and RemovePermission edit it. `--iam enforce`
 * evaluates it for PutEvents and the bus's other actions beside the caller's identity policies
 * (src/auth/resource-policies.ts), so a statement naming a user of this account lets it put events
 * without an identity policy, and a Deny in it wins.
 */
import { UnkaiError } from "../../core/errors.js";
import type { EventBusRecord } from "../../core/events/resources.js";
import { MalformedPolicyError, parsePolicy } from "../../core/iam-policy/index.js";

export interface PutPermissionInput {
  readonly EventBusName?: string;
  readonly Policy?: string;
  readonly Action?: string;
  readonly Principal?: string;
  readonly StatementId?: string;
  readonly Condition?: { readonly Type?: string; readonly Key?: string; readonly Value?: string };
}

/** EventBridge documents a 10 KB limit on a bus's permission policy. */
const MAX_POLICY_BYTES = 10_240;

interface PolicyDocument { Version?: string; Statement?: { Sid?: string }[] }

const invalid = (message: string) => new UnkaiError("ValidationException", message);

/** The statement PutPermission adds for `Action`, `Principal` (an account or `*`) and `StatementId`. */
function statementOf(bus: EventBusRecord, input: PutPermissionInput): { Sid: string } & Record<string, unknown> {
  const { Action, Principal, StatementId } = input;
  if (Action === undefined || Principal === undefined || StatementId === undefined) {
    throw invalid("PutPermission needs either Policy, or Action, Principal and StatementId.");
  }
  if (Action !== "events:PutEvents") throw invalid("Action must be events:PutEvents.");
  if (Principal !== "*" && !/^\d{12}$/.test(Principal)) throw invalid("Principal must be a 12-digit account id or *.");
  const condition = input.Condition;
  if (condition !== undefined && (condition.Type !== "StringEquals" || !condition.Key || !condition.Value)) {
    throw invalid("Condition must have Type StringEquals, a Key and a Value.");
  }
  return {
    Sid: StatementId, Effect: "Allow", Principal: Principal === "*" ? "*" : { AWS: `arn:aws:iam::${Principal}:root` },
    Action: Action, Resource: bus.Arn,
    ...(condition ? { Condition: { StringEquals: { [condition.Key ?? ""]: condition.Value } } } : {}),
  };
}

/**
 * The bus's policy after PutPermission: `Policy` replaces it whole (validated as IAM validates a
 * resource policy); otherwise one statement is added, replacing one with the same `StatementId`.
 */
export function policyAfterPut(bus: EventBusRecord, input: PutPermissionInput): string {
  let policy: string;
  if (input.Policy !== undefined) {
    try {
      parsePolicy(input.Policy, "resource");
    } catch (error) {
      if (error instanceof MalformedPolicyError) throw invalid(`Policy is not valid: ${error.message}`);
      throw error;
    }
    policy = input.Policy;
  } else {
    const statement = statementOf(bus, input);
    const current = bus.Policy ? (JSON.parse(bus.Policy) as PolicyDocument) : { Version: "2012-10-17", Statement: [] };
    const others = (current.Statement ?? []).filter((s) => s.Sid !== statement.Sid);
    policy = JSON.stringify({ ...current, Statement: [...others, statement] });
  }
  if (Buffer.byteLength(policy) > MAX_POLICY_BYTES) throw new UnkaiError("PolicyLengthExceededException", "The event bus policy would exceed its 10 KB limit.");
  return policy;
}

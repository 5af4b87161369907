/**
 * AddPermission, GetPolicy, RemovePermission: a function's resource-based policy, stored and
 * returned as AWS returns it (`Statement` and `Policy` are JSON strings). `--iam enforce` evaluates it
 * (src/auth/resource-policies.ts).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod/v3";
import { parseFunctionRef } from "../../core/arn.js";
import { conflict, invalidParameter, notFound } from "../../core/errors.js";
import type { PolicyStatement } from "../../core/function.js";
import { ownValue } from "../../core/own-keys.js";
import { empty, json, type UnkaiRequest } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import { checkRevision, type FunctionService } from "../../functions/function-service.js";
import { parseBody } from "./shapes.js";

const addInput = z.object({
  StatementId: z.string().regex(/^[a-zA-Z0-9-_]{1,100}$/, "StatementId must be 1 to 100 letters, digits, hyphens or underscores"),
  Action: z.string().regex(/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/, "Action must be like lambda:InvokeFunction"),
  Principal: z.string().min(1),
  SourceArn: z.string().optional(),
  SourceAccount: z.string().regex(/^\d{12}$/).optional(),
  EventSourceToken: z.string().optional(),
  PrincipalOrgID: z.string().optional(),
  FunctionUrlAuthType: z.enum(["NONE", "AWS_IAM"]).optional(),
  RevisionId: z.string().optional(),
});

/** Lambda's limit on a resource-based policy (a function's, a layer version's), in bytes of its JSON. */
export const MAX_POLICY_BYTES = 20_480;

/** Lambda's refusal of a statement id a policy already has. */
export const duplicateStatement = (sid: string) =>
  conflict(`The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);

/** A statement's Principal from AddPermission's or AddLayerVersionPermission's `Principal`: `*`, an account, an ARN or a service. */
export function principalOf(value: string): PolicyStatement["Principal"] {
  if (value === "*") return "*";
  if (/^\d{12}$/.test(value)) return { AWS: `arn:aws:iam::${value}:root` };
  if (value.startsWith("arn:")) return { AWS: value };
  return { Service: value };
}

export function policyRoutes(router: Router, functions: FunctionService): void {
  const target = async (request: UnkaiRequest, raw: string) => {
    const { name, qualifier } = parseFunctionRef(raw, request.query.get("Qualifier") ?? undefined, functions.account);
    if (qualifier === "$LATEST") throw invalidParameter("We currently do not support adding policies for $LATEST.");
    await functions.get(name, qualifier);
    // Policies are keyed by qualifier (""; the function itself): read them with ownValue, as an alias may be named `toString`.
    return { name, qualifier, key: qualifier ?? "" };
  };

  router
    .on("POST", "/2015-03-31/functions/{name}/policy", async (request, [raw = ""]) => {
      const { name, qualifier, key } = await target(request, raw);
      const input = parseBody(addInput, request.body);
      const condition: Record<string, Record<string, string>> = {};
      if (input.SourceArn) condition.ArnLike = { "AWS:SourceArn": input.SourceArn };
      if (input.SourceAccount) condition.StringEquals = { ...condition.StringEquals, "AWS:SourceAccount": input.SourceAccount };
      if (input.PrincipalOrgID) condition.StringEquals = { ...condition.StringEquals, "aws:PrincipalOrgID": input.PrincipalOrgID };
      if (input.EventSourceToken) condition.StringEquals = { ...condition.StringEquals, "lambda:EventSourceToken": input.EventSourceToken };
      if (input.FunctionUrlAuthType) condition.StringEquals = { ...condition.StringEquals, "lambda:FunctionUrlAuthType": input.FunctionUrlAuthType };
      const statement: PolicyStatement = {
        Sid: input.StatementId,
        Effect: "Allow",
        Principal: principalOf(input.Principal),
        Action: input.Action,
        Resource: functions.arn(name, qualifier),
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      };
      await functions.updateMetadata(name, (current) => {
        if (input.RevisionId !== undefined) checkRevision({ revisionId: current.policyRevisionId ?? current.revisionId }, input.RevisionId);
        const statements = ownValue(current.policies ?? {}, key) ?? [];
        if (statements.some((s) => s.Sid === input.StatementId)) {
          throw duplicateStatement(input.StatementId);
        }
        if (JSON.stringify([...statements, statement]).length > MAX_POLICY_BYTES) throw invalidParameter(`The final policy size would be bigger than the limit of ${MAX_POLICY_BYTES} bytes.`);
        return { ...current, policies: { ...current.policies, [key]: [...statements, statement] }, policyRevisionId: randomUUID() };
      });
      return json(201, { Statement: JSON.stringify(statement) });
    })
    .on("GET", "/2015-03-31/functions/{name}/policy", async (request, [raw = ""]) => {
      const { name, key } = await target(request, raw);
      const record = await functions.get(name);
      const statements = ownValue(record.policies ?? {}, key) ?? [];
      if (statements.length === 0) throw notFound("The resource you requested does not exist.");
      return json(200, { Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: statements }), RevisionId: record.policyRevisionId ?? record.revisionId });
    })
    .on("DELETE", "/2015-03-31/functions/{name}/policy/{sid}", async (request, [raw = "", sid = ""]) => {
      const { name, key } = await target(request, raw);
      await functions.updateMetadata(name, (current) => {
        const revision = request.query.get("RevisionId");
        if (revision !== null) checkRevision({ revisionId: current.policyRevisionId ?? current.revisionId }, revision);
        const statements = ownValue(current.policies ?? {}, key) ?? [];
        if (!statements.some((s) => s.Sid === sid)) throw notFound(`Statement ${sid.slice(0, 100)} is not found in resource policy.`);
        return { ...current, policies: { ...current.policies, [key]: statements.filter((s) => s.Sid !== sid) }, policyRevisionId: randomUUID() };
      });
      return empty(204);
    });
}

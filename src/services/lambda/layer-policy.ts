/**
 * AddLayerVersionPermission, GetLayerVersionPolicy, RemoveLayerVersionPermission: a layer version's
 * resource-based policy, kept in its record and returned as Lambda returns it (`Statement` and
 * `Policy` are JSON strings). The policy grants `lambda:GetLayerVersion` to other accounts; within
 * the account, IAM policies decide, as on AWS (docs/compatibility/lambda.md).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod/v3";
import type { Account } from "../../core/arn.js";
import { invalidParameter, notFound } from "../../core/errors.js";
import { layerNameOf, type LayerPolicyStatement, type LayerVersionRecord } from "../../core/layer.js";
import { empty, json, type UnkaiRequest } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import type { LayerStore } from "../../store/ports.js";
import { checkRevision } from "../../functions/function-service.js";
import { parseBody } from "./shapes.js";
import { duplicateStatement, MAX_POLICY_BYTES, principalOf } from "./policy.js";

const addInput = z.object({
  StatementId: z.string().regex(/^[a-zA-Z0-9-_]{1,100}$/, "StatementId must be 1 to 100 letters, digits, hyphens or underscores"),
  Action: z.literal("lambda:GetLayerVersion", { errorMap: () => ({ message: "Action must be lambda:GetLayerVersion" }) }),
  Principal: z.string().regex(/^(\d{12}|\*|arn:aws[a-zA-Z-]*:iam::\d{12}:root)$/, "Principal must be an account ID, * or arn:aws:iam::<account ID>:root"),
  OrganizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, "OrganizationId must be like o-a1b2c3d4e5").optional(),
});

export function layerPolicyRoutes(router: Router, layers: LayerStore, account: Account): void {
  const versionArn = (name: string, version: number) => `arn:aws:lambda:${account.region}:${account.accountId}:layer:${name}:${version}`;
  /** The version the path names, or Lambda's not-found answer for it. */
  const target = (rawName: string, rawVersion: string) => {
    const name = layerNameOf(rawName);
    if (!/^[1-9]\d{0,15}$/.test(rawVersion)) throw invalidParameter(`VersionNumber '${rawVersion.slice(0, 20)}' is not a layer version number.`);
    return { name, version: Number(rawVersion) };
  };
  const missing = (name: string, version: number) => notFound(`Layer version ${versionArn(name, version)} does not exist.`);
  const revisionOf = (layer: LayerVersionRecord) => layer.policy?.revisionId;
  const checkPolicyRevision = (layer: LayerVersionRecord, request: UnkaiRequest) => {
    const wanted = request.query.get("RevisionId");
    if (wanted !== null) checkRevision({ revisionId: revisionOf(layer) ?? "" }, wanted);
  };

  router
    .on("POST", "/2018-10-31/layers/{name}/versions/{version}/policy", async (request, [rawName = "", rawVersion = ""]) => {
      const { name, version } = target(rawName, rawVersion);
      const input = parseBody(addInput, request.body);
      if (input.OrganizationId !== undefined && input.Principal !== "*") {
        throw invalidParameter("OrganizationId can be given only with Principal '*'.");
      }
      const statement: LayerPolicyStatement = {
        Sid: input.StatementId,
        Effect: "Allow",
        Principal: principalOf(input.Principal),
        Action: input.Action,
        Resource: versionArn(name, version),
        ...(input.OrganizationId !== undefined ? { Condition: { StringEquals: { "aws:PrincipalOrgID": input.OrganizationId } } } : {}),
      };
      const updated = await layers.update(name, version, (current) => {
        checkPolicyRevision(current, request);
        const statements = current.policy?.statements ?? [];
        if (statements.some((s) => s.Sid === input.StatementId)) throw duplicateStatement(input.StatementId);
        if (Buffer.byteLength(JSON.stringify([...statements, statement])) > MAX_POLICY_BYTES) {
          throw invalidParameter(`The final policy size would be bigger than the limit of ${MAX_POLICY_BYTES} bytes.`);
        }
        return { ...current, policy: { statements: [...statements, statement], revisionId: randomUUID() } };
      });
      if (!updated) throw missing(name, version);
      return json(201, { Statement: JSON.stringify(statement), RevisionId: revisionOf(updated) });
    })
    .on("GET", "/2018-10-31/layers/{name}/versions/{version}/policy", async (_request, [rawName = "", rawVersion = ""]) => {
      const { name, version } = target(rawName, rawVersion);
      const layer = await layers.get(name, version);
      if (!layer) throw missing(name, version);
      if (!layer.policy || layer.policy.statements.length === 0) throw notFound("No policy is associated with the given resource.");
      return json(200, { Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: layer.policy.statements }), RevisionId: layer.policy.revisionId });
    })
    .on("DELETE", "/2018-10-31/layers/{name}/versions/{version}/policy/{sid}", async (request, [rawName = "", rawVersion = "", sid = ""]) => {
      const { name, version } = target(rawName, rawVersion);
      const updated = await layers.update(name, version, (current) => {
        checkPolicyRevision(current, request);
        const statements = current.policy?.statements ?? [];
        if (!statements.some((s) => s.Sid === sid)) throw notFound(`Statement ${sid.slice(0, 100)} is not found in resource policy.`);
        return { ...current, policy: { statements: statements.filter((s) => s.Sid !== sid), revisionId: randomUUID() } };
      });
      if (!updated) throw missing(name, version);
      return empty(204);
    });
}

/** CreateAlias, GetAlias, UpdateAlias, ListAliases, DeleteAlias, with weighted routing between two versions. */
import { randomUUID } from "node:crypto";
import { z } from "zod/v3";
import { validateAliasName, validateRouting, type AliasRecord } from "../../core/alias.js";
import { parseFunctionRef } from "../../core/arn.js";
import { conflict, invalidParameter, UnkaiError, notFound } from "../../core/errors.js";
import { ownValue } from "../../core/own-keys.js";
import { empty, json, type UnkaiRequest } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import type { AliasStore } from "../../store/ports.js";
import { checkRevision, type FunctionService } from "../../functions/function-service.js";
import type { ProvisionedConcurrency } from "../../functions/provisioned-concurrency.js";
import { parseBody } from "./shapes.js";
import { pageSize } from "./paging.js";

const routing = z.object({ AdditionalVersionWeights: z.record(z.string(), z.number()).optional() });
const createInput = z.object({
  Name: z.string(),
  FunctionVersion: z.string(),
  Description: z.string().max(256).optional(),
  RoutingConfig: routing.optional(),
});
const updateInput = z.object({
  FunctionVersion: z.string().optional(),
  Description: z.string().max(256).optional(),
  RoutingConfig: routing.optional(),
  RevisionId: z.string().optional(),
});

export function aliasRoutes(router: Router, functions: FunctionService, aliases: AliasStore, provisioned: ProvisionedConcurrency): void {
  const functionName = async (request: UnkaiRequest, raw: string) => {
    const { name, qualifier } = parseFunctionRef(raw, undefined, functions.account);
    if (qualifier !== undefined) throw invalidParameter("Alias operations take an unqualified function name.");
    await functions.get(name);
    return name;
  };
  const aliasArn = (name: string, alias: string) => functions.arn(name, alias);
  const shape = (alias: AliasRecord) => ({
    AliasArn: aliasArn(alias.functionName, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(Object.keys(alias.additionalVersionWeights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: alias.additionalVersionWeights } } : {}),
    RevisionId: alias.revisionId,
  });
  const existing = async (name: string, alias: string) => {
    const record = await aliases.get(name, alias);
    if (!record) throw notFound(`Alias not found: ${aliasArn(name, alias)}`);
    return record;
  };
  /** Versions an alias points to must exist ($LATEST always does). */
  const checkVersions = async (name: string, alias: AliasRecord) => {
    for (const version of [alias.functionVersion, ...Object.keys(alias.additionalVersionWeights)]) {
      if (version !== "$LATEST" && !/^[0-9]+$/.test(version)) {
        throw invalidParameter(`FunctionVersion '${version}' must be $LATEST or a published version number.`);
      }
      await functions.get(name, version);
    }
    validateRouting(alias.functionVersion, alias.additionalVersionWeights);
  };

  router
    .on("POST", "/2015-03-31/functions/{name}/aliases", async (request, [raw = ""]) => {
      const name = await functionName(request, raw);
      const input = parseBody(createInput, request.body);
      validateAliasName(input.Name);
      const alias: AliasRecord = {
        functionName: name,
        name: input.Name,
        functionVersion: input.FunctionVersion,
        description: input.Description ?? "",
        additionalVersionWeights: input.RoutingConfig?.AdditionalVersionWeights ?? {},
        revisionId: randomUUID(),
      };
      await checkVersions(name, alias);
      if (!(await aliases.create(alias))) throw conflict(`Alias already exists: ${aliasArn(name, alias.name)}`);
      return json(201, shape(alias));
    })
    .on("GET", "/2015-03-31/functions/{name}/aliases", async (request, [raw = ""]) => {
      const name = await functionName(request, raw);
      const version = request.query.get("FunctionVersion");
      const all = (await aliases.list(name)).filter((a) => version === null || a.functionVersion === version);
      const maxItems = pageSize(request, 10_000);
      const marker = request.query.get("Marker");
      const start = marker ? all.findIndex((a) => a.name === marker) + 1 : 0;
      const page = all.slice(start, start + maxItems);
      const next = start + maxItems < all.length ? page.at(-1)?.name : undefined;
      return json(200, { Aliases: page.map(shape), ...(next ? { NextMarker: next } : {}) });
    })
    .on("GET", "/2015-03-31/functions/{name}/aliases/{alias}", async (request, [raw = "", alias = ""]) => {
      return json(200, shape(await existing(await functionName(request, raw), alias)));
    })
    .on("PUT", "/2015-03-31/functions/{name}/aliases/{alias}", async (request, [raw = "", aliasName = ""]) => {
      const name = await functionName(request, raw);
      const current = await existing(name, aliasName);
      const input = parseBody(updateInput, request.body);
      checkRevision(current, input.RevisionId);
      const next: AliasRecord = {
        ...current,
        functionVersion: input.FunctionVersion ?? current.functionVersion,
        description: input.Description ?? current.description,
        additionalVersionWeights: input.RoutingConfig ? (input.RoutingConfig.AdditionalVersionWeights ?? {}) : current.additionalVersionWeights,
        revisionId: randomUUID(),
      };
      await checkVersions(name, next);
      if (next.functionVersion === "$LATEST" && ownValue((await functions.get(name)).provisionedConcurrency ?? {}, aliasName) !== undefined) {
        throw invalidParameter("Provisioned Concurrency Configs cannot be applied to an alias that points to $LATEST.");
      }
      if (!(await aliases.update(next, current.revisionId))) {
        throw new UnkaiError("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
      }
      // Its provisioned concurrency moves to the version it points at now.
      await provisioned.reconcile(name);
      return json(200, shape(next));
    })
    .on("DELETE", "/2015-03-31/functions/{name}/aliases/{alias}", async (request, [raw = "", alias = ""]) => {
      const name = await functionName(request, raw);
      await existing(name, alias);
      // Its Function URL goes in the same transaction (AliasStore.delete).
      await aliases.delete(name, alias);
      await provisioned.forget(name, alias);
      return empty(204);
    });
}

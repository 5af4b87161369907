/** The EventInvokeConfig operations: retries, maximum age and destinations for asynchronous invokes. */
import { z } from "zod/v3";
import type { Destinations } from "../../async/destinations.js";
import { parseFunctionRef } from "../../core/arn.js";
import { invalidParameter, notFound } from "../../core/errors.js";
import { validateEventInvokeConfig, type EventInvokeConfig } from "../../core/event-invoke-config.js";
import { empty, json, type UnkaiRequest } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import type { EventInvokeConfigStore } from "../../store/ports.js";
import type { FunctionService } from "../../functions/function-service.js";
import { parseBody } from "./shapes.js";
import { pageSize } from "./paging.js";

const destination = z.object({ Destination: z.string().optional() });
const input = z.object({
  MaximumRetryAttempts: z.number().optional(),
  MaximumEventAgeInSeconds: z.number().optional(),
  DestinationConfig: z.object({ OnSuccess: destination.optional(), OnFailure: destination.optional() }).optional(),
});
type Input = z.infer<typeof input>;

function shape(config: EventInvokeConfig, arn: string): Record<string, unknown> {
  return {
    LastModified: config.lastModified,
    FunctionArn: arn,
    ...(config.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: config.maximumRetryAttempts } : {}),
    ...(config.maximumEventAgeSeconds !== undefined ? { MaximumEventAgeInSeconds: config.maximumEventAgeSeconds } : {}),
    DestinationConfig: {
      OnSuccess: config.onSuccess ? { Destination: config.onSuccess } : {},
      OnFailure: config.onFailure ? { Destination: config.onFailure } : {},
    },
  };
}

export function eventInvokeConfigRoutes(router: Router, functions: FunctionService, store: EventInvokeConfigStore, destinations: Destinations): void {
  const target = async (request: UnkaiRequest, raw: string) => {
    const { name, qualifier = "$LATEST" } = parseFunctionRef(raw, request.query.get("Qualifier") ?? undefined, functions.account);
    await functions.get(name, qualifier);
    return { name, qualifier, arn: functions.arn(name, qualifier) };
  };
  const build = (name: string, qualifier: string, body: Input, base: EventInvokeConfig | undefined): EventInvokeConfig => {
    const pick = (given: { Destination?: string | undefined } | undefined, current: string | undefined) =>
      given === undefined ? current : given.Destination || undefined;
    const config: EventInvokeConfig = {
      functionName: name,
      qualifier,
      maximumRetryAttempts: body.MaximumRetryAttempts ?? base?.maximumRetryAttempts,
      maximumEventAgeSeconds: body.MaximumEventAgeInSeconds ?? base?.maximumEventAgeSeconds,
      onSuccess: pick(body.DestinationConfig?.OnSuccess, base?.onSuccess),
      onFailure: pick(body.DestinationConfig?.OnFailure, base?.onFailure),
      lastModified: Date.now() / 1000,
    };
    validateEventInvokeConfig(config);
    if (config.onSuccess) destinations.check("DestinationConfig.OnSuccess.Destination", config.onSuccess);
    if (config.onFailure) destinations.check("DestinationConfig.OnFailure.Destination", config.onFailure);
    return config;
  };
  const missing = (arn: string) => notFound(`The function ${arn} doesn't have an EventInvokeConfig`);

  router
    .on("PUT", "/2019-09-25/functions/{name}/event-invoke-config", async (request, [raw = ""]) => {
      const { name, qualifier, arn } = await target(request, raw);
      const config = build(name, qualifier, parseBody(input, request.body), undefined);
      await store.put(config);
      return json(200, shape(config, arn));
    })
    .on("POST", "/2019-09-25/functions/{name}/event-invoke-config", async (request, [raw = ""]) => {
      const { name, qualifier, arn } = await target(request, raw);
      const current = await store.get(name, qualifier);
      if (!current) throw missing(arn);
      const config = build(name, qualifier, parseBody(input, request.body), current);
      await store.put(config);
      return json(200, shape(config, arn));
    })
    .on("GET", "/2019-09-25/functions/{name}/event-invoke-config", async (request, [raw = ""]) => {
      const { name, qualifier, arn } = await target(request, raw);
      const config = await store.get(name, qualifier);
      if (!config) throw missing(arn);
      return json(200, shape(config, arn));
    })
    .on("DELETE", "/2019-09-25/functions/{name}/event-invoke-config", async (request, [raw = ""]) => {
      const { name, qualifier, arn } = await target(request, raw);
      if (!(await store.delete(name, qualifier))) throw missing(arn);
      return empty(204);
    })
    .on("GET", "/2019-09-25/functions/{name}/event-invoke-config/list", async (request, [raw = ""]) => {
      const { name, qualifier } = parseFunctionRef(raw, undefined, functions.account);
      if (qualifier !== undefined) throw invalidParameter("ListFunctionEventInvokeConfigs takes an unqualified function name.");
      await functions.get(name);
      const all = await store.list(name);
      const maxItems = pageSize(request, 50);
      const marker = request.query.get("Marker");
      const start = marker ? all.findIndex((c) => c.qualifier === marker) + 1 : 0;
      const page = all.slice(start, start + maxItems);
      const next = start + maxItems < all.length ? page.at(-1)?.qualifier : undefined;
      return json(200, {
        FunctionEventInvokeConfigs: page.map((c) => shape(c, functions.arn(name, c.qualifier))),
        ...(next ? { NextMarker: next } : {}),
      });
    });
}

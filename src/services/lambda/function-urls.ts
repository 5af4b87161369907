/** CreateFunctionUrlConfig, GetFunctionUrlConfig, UpdateFunctionUrlConfig, DeleteFunctionUrlConfig, ListFunctionUrlConfigs. */
import { z } from "zod/v3";
import { parseFunctionRef } from "../../core/arn.js";
import { conflict, invalidParameter, notFound } from "../../core/errors.js";
import type { CorsConfig, FunctionUrlConfig } from "../../core/api-definitions.js";
import { empty, json, type UnkaiRequest } from "../../protocol/http.js";
import { randomId } from "../../protocol/input.js";
import type { Router } from "../../protocol/router.js";
import type { FunctionUrlStore } from "../../store/ports.js";
import type { FunctionService } from "../../functions/function-service.js";
import { parseBody } from "./shapes.js";

const cors = z.object({
  AllowCredentials: z.boolean().optional(),
  AllowHeaders: z.array(z.string().max(1024)).max(100).optional(),
  AllowMethods: z.array(z.string().regex(/^(\*|[A-Za-z]+)$/, "an HTTP method or *")).max(6).optional(),
  AllowOrigins: z.array(z.string().min(1).max(253)).max(100).optional(),
  ExposeHeaders: z.array(z.string().max(1024)).max(100).optional(),
  MaxAge: z.number().int().min(0).max(86_400).optional(),
}).strict();

const createInput = z.object({
  AuthType: z.enum(["NONE", "AWS_IAM"]),
  Cors: cors.optional(),
  InvokeMode: z.enum(["BUFFERED", "RESPONSE_STREAM"]).optional(),
});
const updateInput = createInput.partial();

export interface FunctionUrlDeps {
  readonly functions: FunctionService;
  readonly urls: FunctionUrlStore;
  /** `http://<urlId>.lambda-url.<region>.localhost:<port>/` for a URL id. */
  readonly urlOf: (urlId: string) => string;
}

export function functionUrlRoutes(router: Router, { functions, urls, urlOf }: FunctionUrlDeps): void {
  /** The function and the qualifier the URL belongs to: an alias, or `$LATEST` when none is given (version numbers are refused). */
  const target = async (request: UnkaiRequest, raw: string) => {
    const ref = parseFunctionRef(raw, request.query.get("Qualifier") ?? undefined, functions.account);
    const qualifier = ref.qualifier ?? "$LATEST";
    if (/^\d+$/.test(qualifier)) throw invalidParameter(`Qualifier ${qualifier} is a version; a function URL can point only to $LATEST or an alias.`);
    await functions.resolve(ref.name, qualifier === "$LATEST" ? undefined : qualifier);
    return { name: ref.name, qualifier };
  };
  const existing = async (name: string, qualifier: string) => {
    const config = await urls.get(name, qualifier);
    if (!config) throw notFound(`The resource you requested does not exist.`);
    return config;
  };
  const shape = (config: FunctionUrlConfig) => ({
    FunctionUrl: urlOf(config.urlId),
    FunctionArn: functions.arn(config.functionName, config.qualifier === "$LATEST" ? undefined : config.qualifier),
    AuthType: config.authType,
    ...(config.cors ? { Cors: corsOut(config.cors) } : {}),
    CreationTime: config.creationTime,
    LastModifiedTime: config.lastModifiedTime,
    InvokeMode: config.invokeMode,
  });

  router
    .on("POST", "/2021-10-31/functions/{name}/url", async (request, [raw = ""]) => {
      const { name, qualifier } = await target(request, raw);
      const input = parseBody(createInput, request.body);
      if (await urls.get(name, qualifier)) throw conflict(`Failed to create function url config for [functionArn = ${functions.arn(name, qualifier === "$LATEST" ? undefined : qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
      const now = new Date().toISOString();
      const config: FunctionUrlConfig = {
        urlId: randomId(32), functionName: name, qualifier, authType: input.AuthType,
        cors: input.Cors ? corsFrom(input.Cors) : undefined, invokeMode: input.InvokeMode ?? "BUFFERED",
        creationTime: now, lastModifiedTime: now,
      };
      await urls.put(config);
      const { LastModifiedTime: _modified, ...created } = shape(config);
      return json(201, created);
    })
    .on("GET", "/2021-10-31/functions/{name}/url", async (request, [raw = ""]) => {
      const { name, qualifier } = await target(request, raw);
      return json(200, shape(await existing(name, qualifier)));
    })
    .on("PUT", "/2021-10-31/functions/{name}/url", async (request, [raw = ""]) => {
      const { name, qualifier } = await target(request, raw);
      const input = parseBody(updateInput, request.body);
      const current = await existing(name, qualifier);
      const config: FunctionUrlConfig = {
        ...current,
        authType: input.AuthType ?? current.authType,
        cors: input.Cors ? corsFrom(input.Cors) : current.cors,
        invokeMode: input.InvokeMode ?? current.invokeMode,
        lastModifiedTime: new Date().toISOString(),
      };
      await urls.put(config);
      return json(200, shape(config));
    })
    .on("DELETE", "/2021-10-31/functions/{name}/url", async (request, [raw = ""]) => {
      const { name, qualifier } = await target(request, raw);
      await existing(name, qualifier);
      await urls.delete(name, qualifier);
      return empty(204);
    })
    .on("GET", "/2021-10-31/functions/{name}/urls", async (request, [raw = ""]) => {
      const { name } = parseFunctionRef(raw, undefined, functions.account);
      await functions.get(name);
      const maxItems = Number(request.query.get("MaxItems") ?? "50");
      if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 50) throw invalidParameter(`MaxItems ${request.query.get("MaxItems")} must be a whole number from 1 to 50.`);
      const all = await urls.list(name);
      const marker = request.query.get("Marker");
      const start = marker ? all.findIndex((c) => c.qualifier > Buffer.from(marker, "base64url").toString("utf8")) : 0;
      const page = start < 0 ? [] : all.slice(start, start + maxItems);
      const last = page.at(-1);
      const more = last !== undefined && all.indexOf(last) < all.length - 1;
      return json(200, { FunctionUrlConfigs: page.map(shape), ...(more ? { NextMarker: Buffer.from(last.qualifier).toString("base64url") } : {}) });
    });
}

function corsFrom(input: z.infer<typeof cors>): CorsConfig {
  return {
    allowOrigins: input.AllowOrigins ?? [],
    allowMethods: (input.AllowMethods ?? []).map((m) => m.toUpperCase()),
    allowHeaders: input.AllowHeaders ?? [],
    exposeHeaders: input.ExposeHeaders ?? [],
    maxAge: input.MaxAge,
    allowCredentials: input.AllowCredentials ?? false,
  };
}

function corsOut(config: CorsConfig): Record<string, unknown> {
  return {
    AllowCredentials: config.allowCredentials,
    ...(config.allowHeaders.length > 0 ? { AllowHeaders: config.allowHeaders } : {}),
    ...(config.allowMethods.length > 0 ? { AllowMethods: config.allowMethods } : {}),
    ...(config.allowOrigins.length > 0 ? { AllowOrigins: config.allowOrigins } : {}),
    ...(config.exposeHeaders.length > 0 ? { ExposeHeaders: config.exposeHeaders } : {}),
    ...(config.maxAge !== undefined ? { MaxAge: config.maxAge } : {}),
  };
}

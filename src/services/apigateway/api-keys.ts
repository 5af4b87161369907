/**
 * REST APIs' API keys (CreateApiKey, GetApiKey(s), UpdateApiKey, DeleteApiKey): each key a document by
 * id, its value found through `apiKeyValues` by the value's SHA-256 (src/core/api-keys.ts). A call to a
 * method with `apiKeyRequired` needs an enabled key of a usage plan that names the stage
 * (served-apis/api-key-gate.ts). As on AWS a key is created disabled unless `enabled` is true, and its
 * value is answered only on creation or when asked for (`includeValue`, `includeValues`).
 */
import { randomBytes } from "node:crypto";
import { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import { apiKeyValueId, type ApiKeyRecord, type UsagePlanRecord } from "../../core/api-keys.js";
import type { RestApi } from "../../core/api-definitions.js";
import { empty, json } from "../../protocol/http.js";
import { randomId, stringMap } from "../../protocol/input.js";
import type { Router } from "../../protocol/router.js";
import type { DocumentStore } from "../../store/ports.js";
import { findStage } from "./lookups.js";
import { pageOf } from "./paging.js";
import { patchInput } from "./shapes.js";
import { unsupportedPatch, type PatchOperation } from "./rest-api-policy.js";
import { validateTags } from "./tag-rules.js";

export interface ApiKeyRouteDeps {
  readonly keys: DocumentStore<ApiKeyRecord>;
  readonly keyValues: DocumentStore<{ readonly keyId: string }>;
  readonly plans: DocumentStore<UsagePlanRecord>;
  readonly loadApi: (id: string) => Promise<RestApi>;
  readonly seconds: () => number;
  readonly parse: <T extends z.ZodType>(schema: T, body: Buffer) => z.infer<T>;
}

/** A key's value: AWS's 20 to 128 characters; Unkai also keeps to what an HTTP header carries unchanged (visible ASCII). */
const keyValue = z.string().superRefine((value, ctx) => {
  if (value.length < 20) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "API Key value should be at least 20 characters", fatal: true });
  else if (value.length > 128) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "API Key value should be at most 128 characters" });
  else if (!/^[\x21-\x7e]+$/.test(value)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "API Key value must be visible ASCII characters, without spaces" });
});

const createApiKeyInput = z.object({
  name: z.string().max(1024).optional(),
  description: z.string().max(1024).optional(),
  enabled: z.boolean().optional(),
  generateDistinctId: z.boolean().optional(),
  value: keyValue.optional(),
  customerId: z.string().max(1024).optional(),
  stageKeys: z.array(z.object({ restApiId: z.string().min(1), stageName: z.string().min(1) })).max(100).optional(),
  tags: stringMap.optional(),
});

/** API Gateway's quota ("API keys per account per Region"). */
const MAX_API_KEYS = 10_000;

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);
const keyNotFound = () => new UnkaiError("NotFoundException", "Invalid API Key identifier specified");

/** The key as AWS describes it; its value only when asked for. */
export function apiKeyOut(key: ApiKeyRecord, includeValue: boolean): Record<string, unknown> {
  return {
    id: key.id, name: key.name, description: key.description, enabled: key.enabled, customerId: key.customerId,
    createdDate: key.createdDate, lastUpdatedDate: key.lastUpdatedDate, stageKeys: key.stageKeys, tags: key.tags,
    ...(includeValue ? { value: key.value } : {}),
  };
}

/** A value AWS would generate: 40 letters and digits. */
function generatedValue(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(40), (b) => alphabet[b % alphabet.length]).join("");
}

export function apiKeyRoutes(router: Router, deps: ApiKeyRouteDeps): void {
  const { keys, keyValues, plans, seconds, parse } = deps;
  const load = async (id: string) => {
    const key = await keys.get(id);
    if (!key) throw keyNotFound();
    return key;
  };
  /** `<restApiId>/<stageName>`, checked against the API's stages. */
  const stageKey = async (restApiId: string, stageName: string) => {
    findStage(await deps.loadApi(restApiId), stageName);
    return `${restApiId}/${stageName}`;
  };
  const applyPatch = async (key: ApiKeyRecord, operations: readonly PatchOperation[]): Promise<ApiKeyRecord> => {
    let next = key;
    for (const { op, path, value } of operations) {
      if (op === "replace" && path === "/name") next = { ...next, name: value ?? "" };
      else if (op === "replace" && path === "/description") next = { ...next, description: value };
      else if (op === "replace" && path === "/customerId") next = { ...next, customerId: value };
      else if (op === "replace" && path === "/enabled") {
        if (value !== "true" && value !== "false") throw badRequest(`Invalid value '${value ?? ""}' for /enabled: true or false.`);
        next = { ...next, enabled: value === "true" };
      } else if ((op === "add" || op === "remove") && path === "/stages") {
        const [apiId = "", stage = ""] = (value ?? "").split("/");
        if (op === "remove") next = { ...next, stageKeys: next.stageKeys.filter((s) => s !== value) };
        else if (!next.stageKeys.includes(value ?? "")) next = { ...next, stageKeys: [...next.stageKeys, await stageKey(apiId, stage)] };
      } else throw unsupportedPatch(op, path, "replace of /name, /description, /customerId and /enabled, and add or remove of /stages");
    }
    return { ...next, lastUpdatedDate: seconds() };
  };

  router
    .on("POST", "/apikeys", async (request) => {
      const input = parse(createApiKeyInput, request.body);
      validateTags(input.tags ?? {});
      const value = input.value ?? generatedValue();
      const valueId = apiKeyValueId(value);
      if (await keyValues.get(valueId).then((held) => held && keys.get(held.keyId))) throw new UnkaiError("ConflictException", "An API key with this value already exists.");
      if ((await keys.list()).length >= MAX_API_KEYS) throw new UnkaiError("LimitExceededException", `An account can have at most ${MAX_API_KEYS} API keys per Region (API Gateway's quota).`);
      const stageKeys = [...new Set(await Promise.all((input.stageKeys ?? []).map((s) => stageKey(s.restApiId, s.stageName))))];
      const now = seconds();
      const key: ApiKeyRecord = {
        id: randomId(10), name: input.name ?? "", value, description: input.description, enabled: input.enabled ?? false,
        customerId: input.customerId, createdDate: now, lastUpdatedDate: now, stageKeys, tags: input.tags ?? {},
      };
      // The value's entry first: a crash between the two leaves an entry naming no key, which finds nothing.
      await keyValues.put(valueId, { keyId: key.id });
      await keys.put(key.id, key);
      return json(201, apiKeyOut(key, true));
    })
    .on("GET", "/apikeys", async (request) => {
      // GetApiKeys and GetUsagePlanKeys send their nameQuery as the query parameter `name`.
      const nameQuery = request.query.get("name");
      const customerId = request.query.get("customerId");
      const all = (await keys.list()).filter((k) => (nameQuery === null || k.name.startsWith(nameQuery)) && (customerId === null || k.customerId === customerId));
      const page = pageOf(all, (k) => k.id, request.query);
      const includeValues = request.query.get("includeValues") === "true";
      return json(200, { item: page.item.map((k) => apiKeyOut(k, includeValues)), position: page.position });
    })
    .on("GET", "/apikeys/{id}", async (request, [id = ""]) => json(200, apiKeyOut(await load(id), request.query.get("includeValue") === "true")))
    .on("PATCH", "/apikeys/{id}", async (request, [id = ""]) => {
      const input = parse(patchInput, request.body);
      const key = await applyPatch(await load(id), input.patchOperations ?? []);
      await keys.put(key.id, key);
      return json(200, apiKeyOut(key, false));
    })
    .on("DELETE", "/apikeys/{id}", async (_request, [id = ""]) => {
      const key = await load(id);
      // The key goes first, so its value finds nothing from then on, whatever happens after.
      await keys.delete(id);
      await keyValues.delete(apiKeyValueId(key.value));
      for (const plan of await plans.list()) {
        if (plan.keyIds.includes(id)) await plans.put(plan.id, { ...plan, keyIds: plan.keyIds.filter((k) => k !== id) });
      }
      return empty(202);
    });
}

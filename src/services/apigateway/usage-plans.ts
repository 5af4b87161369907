/**
 * REST APIs' usage plans (CreateUsagePlan, GetUsagePlan(s), UpdateUsagePlan, DeleteUsagePlan) and their keys
 * (CreateUsagePlanKey, GetUsagePlanKey(s), DeleteUsagePlanKey): which API stages a plan's API keys may call,
 * at what rate (`throttle`, per method too) and how many calls per day, week or month (`quota`). The serving
 * path enforces them (served-apis/api-key-gate.ts). As AWS documents, one API key belongs to at most one
 * plan per API stage.
 */
import { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import type { ApiKeyRecord, QuotaSettings, ThrottleSettings, UsagePlanRecord, UsagePlanStage } from "../../core/api-keys.js";
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

export interface UsagePlanRouteDeps {
  readonly keys: DocumentStore<ApiKeyRecord>;
  readonly plans: DocumentStore<UsagePlanRecord>;
  readonly loadApi: (id: string) => Promise<RestApi>;
  readonly parse: <T extends z.ZodType>(schema: T, body: Buffer) => z.infer<T>;
}

const throttleInput = z.object({ burstLimit: z.number().int().min(0).max(1_000_000_000).optional(), rateLimit: z.number().min(0).max(1_000_000_000).optional() });
const quotaInput = z.object({ limit: z.number().int().min(0).max(2_147_483_647), offset: z.number().int().min(0).optional(), period: z.enum(["DAY", "WEEK", "MONTH"]) });
/** A method's throttle key: `<resource path>/<METHOD>` (`/pets/GET`, `/*\/*` for every method). */
/** The API stages one plan may name (as CreateUsagePlan's input allows). */
const MAX_PLAN_STAGES = 100;
const METHOD_KEY = /^\/(?:[^\s]*\/)?(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY|\*)$/;
const apiStageInput = z.object({
  apiId: z.string().min(1),
  stage: z.string().min(1),
  throttle: z.record(z.string().regex(METHOD_KEY, "a method as <resource path>/<METHOD>, such as /pets/GET"), throttleInput).optional(),
});
const createUsagePlanInput = z.object({
  name: z.string().min(1).max(1024),
  description: z.string().max(1024).optional(),
  apiStages: z.array(apiStageInput).max(MAX_PLAN_STAGES).optional(),
  throttle: throttleInput.optional(),
  quota: quotaInput.optional(),
  tags: stringMap.optional(),
});
const createUsagePlanKeyInput = z.object({ keyId: z.string().min(1), keyType: z.literal("API_KEY", { errorMap: () => ({ message: "keyType must be API_KEY" }) }) });

/** API Gateway's quotas: usage plans per account and Region, usage plans per API key. */
const MAX_USAGE_PLANS = 300;
const MAX_PLANS_PER_KEY = 10;

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);
const planNotFound = () => new UnkaiError("NotFoundException", "Invalid Usage Plan ID specified");
const keyNotFound = () => new UnkaiError("NotFoundException", "Invalid API Key identifier specified");

export function usagePlanOut(plan: UsagePlanRecord): Record<string, unknown> {
  return { id: plan.id, name: plan.name, description: plan.description, apiStages: plan.apiStages, throttle: plan.throttle, quota: plan.quota, tags: plan.tags };
}

function usagePlanKeyOut(key: ApiKeyRecord): Record<string, unknown> {
  return { id: key.id, type: "API_KEY", name: key.name, value: key.value };
}

/** Whether two plans share an API stage (a key may be in only one of them). */
function sharedStage(a: UsagePlanRecord, b: UsagePlanRecord): UsagePlanStage | undefined {
  return a.apiStages.find((s) => b.apiStages.some((t) => t.apiId === s.apiId && t.stage === s.stage));
}

/** A throttle setting as stored: absent members dropped, a whole number for the burst. */
function throttleOf(input: z.infer<typeof throttleInput> | undefined): ThrottleSettings | undefined {
  return input === undefined ? undefined : { ...(input.burstLimit !== undefined ? { burstLimit: input.burstLimit } : {}), ...(input.rateLimit !== undefined ? { rateLimit: input.rateLimit } : {}) };
}

function quotaOf(input: z.infer<typeof quotaInput> | undefined): QuotaSettings | undefined {
  if (input === undefined) return undefined;
  const maxOffset = { DAY: 0, WEEK: 6, MONTH: 27 }[input.period];
  if ((input.offset ?? 0) > maxOffset) throw badRequest(`Quota offset for a ${input.period} period must be at most ${maxOffset}.`);
  return { limit: input.limit, offset: input.offset ?? 0, period: input.period };
}

function numberValue(path: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value.trim() === "" || !Number.isFinite(n) || n < 0) throw badRequest(`Invalid value '${value ?? ""}' for ${path}: a number of at least 0.`);
  return n;
}

export function usagePlanRoutes(router: Router, deps: UsagePlanRouteDeps): void {
  const { keys, plans, parse } = deps;
  const load = async (id: string) => {
    const plan = await plans.get(id);
    if (!plan) throw planNotFound();
    return plan;
  };
  const checkStages = async (stages: readonly UsagePlanStage[]) => {
    for (const s of stages) {
      const api = await deps.loadApi(s.apiId);
      findStage(api, s.stage);
      for (const method of Object.keys(s.throttle ?? {})) {
        const [, path = "", verb = ""] = /^(.*)\/([^/]+)$/.exec(method) ?? [];
        if (path === "/*" && verb === "*") continue;
        const resource = api.resources.find((r) => r.path === (path === "" ? "/" : path));
        if (!resource || (verb !== "*" && !Object.hasOwn(resource.methods, verb))) throw badRequest(`Invalid method ${method} in the throttle of stage ${s.apiId}:${s.stage}: no such resource and method.`);
      }
    }
  };
  /** Refuses a plan whose stages would give one of its keys two plans for one stage. */
  const checkKeysAlone = async (plan: UsagePlanRecord) => {
    for (const other of await plans.list()) {
      if (other.id === plan.id) continue;
      const key = other.keyIds.find((k) => plan.keyIds.includes(k));
      const stage = key === undefined ? undefined : sharedStage(plan, other);
      if (key !== undefined && stage) throw new UnkaiError("ConflictException", `API key ${key} is already in usage plan ${other.id} for stage ${stage.apiId}:${stage.stage}; a key may be in one plan per stage.`);
    }
  };
  const applyPatch = async (plan: UsagePlanRecord, operations: readonly PatchOperation[]): Promise<UsagePlanRecord> => {
    let next = plan;
    for (const { op, path, value } of operations) {
      const removedThrottle = /^\/apiStages\/([^/:]+):([^/]+)\/throttle(?:\/(.+))?$/.exec(path);
      const stageThrottle = /^\/apiStages\/([^/:]+):([^/]+)\/throttle\/(.+)\/(rateLimit|burstLimit)$/.exec(path);
      if (op === "replace" && path === "/name") next = { ...next, name: value ?? "" };
      else if (op === "replace" && path === "/description") next = { ...next, description: value };
      else if (op === "replace" && (path === "/throttle/rateLimit" || path === "/throttle/burstLimit")) {
        next = { ...next, throttle: { ...next.throttle, [path.slice("/throttle/".length)]: numberValue(path, value) } };
      } else if (op === "remove" && path === "/throttle") next = { ...next, throttle: undefined };
      else if (op === "replace" && (path === "/quota/limit" || path === "/quota/offset" || path === "/quota/period")) {
        const quota = { limit: 0, offset: 0, period: "DAY" as QuotaSettings["period"], ...next.quota };
        const field = path.slice("/quota/".length);
        const changed = field === "period" ? { ...quota, period: value as QuotaSettings["period"] } : { ...quota, [field]: numberValue(path, value) };
        const checked = quotaInput.safeParse(changed);
        if (!checked.success) throw badRequest(`Invalid value '${value ?? ""}' for ${path}: ${checked.error.issues[0]?.message ?? "not a valid quota"}.`);
        next = { ...next, quota: quotaOf(checked.data) };
      } else if (op === "remove" && path === "/quota") next = { ...next, quota: undefined };
      else if ((op === "add" || op === "remove") && path === "/apiStages") {
        const [apiId = "", stage = ""] = (value ?? "").split(":");
        if (op === "remove") {
          // AWS's words for a stage the plan does not name (boto/boto3#2629).
          if (!next.apiStages.some((s) => s.apiId === apiId && s.stage === stage)) throw badRequest("Invalid API Stage specified");
          next = { ...next, apiStages: next.apiStages.filter((s) => !(s.apiId === apiId && s.stage === stage)) };
        }
        else if (!next.apiStages.some((s) => s.apiId === apiId && s.stage === stage)) {
          await checkStages([{ apiId, stage }]);
          if (next.apiStages.length >= MAX_PLAN_STAGES) throw badRequest(`A usage plan can name at most ${MAX_PLAN_STAGES} API stages.`);
          next = { ...next, apiStages: [...next.apiStages, { apiId, stage }] };
        }
      } else if (stageThrottle && (op === "replace" || op === "add")) {
        const [, apiId, stage, escaped = "", field = ""] = stageThrottle;
        // The method's resource path travels JSON-Pointer-escaped (`~1pets/GET` for /pets/GET).
        const method = escaped.replace(/~1/g, "/").replace(/~0/g, "~");
        const target = next.apiStages.find((s) => s.apiId === apiId && s.stage === stage);
        if (!target) throw badRequest(`The usage plan has no stage ${apiId}:${stage}.`);
        const throttle = { ...target.throttle, [method]: { ...target.throttle?.[method], [field]: numberValue(path, value) } };
        await checkStages([{ ...target, throttle }]);
        next = { ...next, apiStages: next.apiStages.map((s) => (s === target ? { ...s, throttle } : s)) };
      } else if (op === "remove" && removedThrottle) {
        const [, apiId, stage, escaped] = removedThrottle;
        const target = next.apiStages.find((s) => s.apiId === apiId && s.stage === stage);
        if (!target) throw badRequest("Invalid API Stage specified");
        const method = escaped?.replace(/~1/g, "/").replace(/~0/g, "~");
        const throttle = method === undefined ? undefined : Object.fromEntries(Object.entries(target.throttle ?? {}).filter(([m]) => m !== method));
        next = { ...next, apiStages: next.apiStages.map((s) => (s === target ? { apiId: s.apiId, stage: s.stage, ...(throttle && Object.keys(throttle).length > 0 ? { throttle } : {}) } : s)) };
      } else {
        throw unsupportedPatch(op, path, "replace of /name, /description, /throttle/rateLimit, /throttle/burstLimit, /quota/limit, /quota/offset, /quota/period and /apiStages/<api>:<stage>/throttle/<~1path>/<METHOD>/(rateLimit|burstLimit), remove of /throttle, /quota and /apiStages/<api>:<stage>/throttle[/<~1path>/<METHOD>], and add or remove of /apiStages");
      }
    }
    return next;
  };

  router
    .on("POST", "/usageplans", async (request) => {
      const input = parse(createUsagePlanInput, request.body);
      validateTags(input.tags ?? {});
      const apiStages = (input.apiStages ?? []).map((s) => ({ apiId: s.apiId, stage: s.stage, ...(s.throttle ? { throttle: Object.fromEntries(Object.entries(s.throttle).map(([m, t]) => [m, throttleOf(t) ?? {}])) } : {}) }));
      await checkStages(apiStages);
      if ((await plans.list()).length >= MAX_USAGE_PLANS) throw new UnkaiError("LimitExceededException", `An account can have at most ${MAX_USAGE_PLANS} usage plans per Region (API Gateway's quota).`);
      const plan: UsagePlanRecord = {
        id: randomId(6), name: input.name, description: input.description, apiStages, throttle: throttleOf(input.throttle), quota: quotaOf(input.quota), tags: input.tags ?? {}, keyIds: [],
      };
      await plans.put(plan.id, plan);
      return json(201, usagePlanOut(plan));
    })
    .on("GET", "/usageplans", async (request) => {
      const keyId = request.query.get("keyId");
      const all = (await plans.list()).filter((p) => keyId === null || p.keyIds.includes(keyId));
      const page = pageOf(all, (p) => p.id, request.query);
      return json(200, { item: page.item.map(usagePlanOut), position: page.position });
    })
    .on("GET", "/usageplans/{id}", async (_request, [id = ""]) => json(200, usagePlanOut(await load(id))))
    .on("PATCH", "/usageplans/{id}", async (request, [id = ""]) => {
      const input = parse(patchInput, request.body);
      const plan = await applyPatch(await load(id), input.patchOperations ?? []);
      await checkKeysAlone(plan);
      await plans.put(plan.id, plan);
      return json(200, usagePlanOut(plan));
    })
    .on("DELETE", "/usageplans/{id}", async (_request, [id = ""]) => {
      const plan = await load(id);
      // AWS's words (aws/aws-sdk-js#3841): a plan's stages are removed first (Terraform and Serverless do so).
      const [first] = plan.apiStages;
      if (first) throw badRequest(`Cannot delete Usage Plan ${plan.id} because there are API Stages associated with it, including ${first.apiId}:${first.stage}`);
      await plans.delete(id);
      return empty(202);
    })
    .on("POST", "/usageplans/{id}/keys", async (request, [id = ""]) => {
      const input = parse(createUsagePlanKeyInput, request.body);
      const plan = await load(id);
      const found = await keys.get(input.keyId);
      if (!found) throw keyNotFound();
      if (plan.keyIds.includes(found.id)) throw new UnkaiError("ConflictException", `Usage plan ${plan.id} already contains API key ${found.id}.`);
      const plansOfKey = (await plans.list()).filter((p) => p.keyIds.includes(found.id)).length;
      if (plansOfKey >= MAX_PLANS_PER_KEY) throw new UnkaiError("LimitExceededException", `API key ${found.id} is already in ${MAX_PLANS_PER_KEY} usage plans, API Gateway's quota per key.`);
      const next = { ...plan, keyIds: [...plan.keyIds, found.id] };
      await checkKeysAlone(next);
      await plans.put(plan.id, next);
      return json(201, usagePlanKeyOut(found));
    })
    .on("GET", "/usageplans/{id}/keys", async (request, [id = ""]) => {
      const plan = await load(id);
      // GetApiKeys and GetUsagePlanKeys send their nameQuery as the query parameter `name`.
      const nameQuery = request.query.get("name");
      const members = (await Promise.all(plan.keyIds.map((k) => keys.get(k)))).filter((k): k is ApiKeyRecord => k !== undefined && (nameQuery === null || k.name.startsWith(nameQuery)));
      const page = pageOf(members.sort((a, b) => (a.id < b.id ? -1 : 1)), (k) => k.id, request.query);
      return json(200, { item: page.item.map(usagePlanKeyOut), position: page.position });
    })
    .on("GET", "/usageplans/{id}/keys/{keyId}", async (_request, [id = "", keyId = ""]) => {
      const plan = await load(id);
      const key = plan.keyIds.includes(keyId) ? await keys.get(keyId) : undefined;
      if (!key) throw keyNotFound();
      return json(200, usagePlanKeyOut(key));
    })
    .on("DELETE", "/usageplans/{id}/keys/{keyId}", async (_request, [id = "", keyId = ""]) => {
      const plan = await load(id);
      if (!plan.keyIds.includes(keyId)) throw keyNotFound();
      await plans.put(plan.id, { ...plan, keyIds: plan.keyIds.filter((k) => k !== keyId) });
      return empty(202);
    });
}

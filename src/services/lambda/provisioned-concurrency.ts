/**
 * PutProvisionedConcurrencyConfig, GetProvisionedConcurrencyConfig, DeleteProvisionedConcurrencyConfig,
 * ListProvisionedConcurrencyConfigs. The configs live on the function's record; the environments
 * they keep ready are src/functions/provisioned-concurrency.ts's, and Status reports their allocation.
 */
import { z } from "zod/v3";
import { parseFunctionRef } from "../../core/arn.js";
import { invalidParameter, UnkaiError } from "../../core/errors.js";
import type { ProvisionedConcurrencyConfig } from "../../core/function.js";
import { ownValue } from "../../core/own-keys.js";
import { empty, json, type UnkaiRequest } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import { lambdaTimestamp, type FunctionService } from "../../functions/function-service.js";
import type { ProvisionedConcurrency } from "../../functions/provisioned-concurrency.js";
import { parseBody } from "./shapes.js";
import { pageSize } from "./paging.js";

const PATH = "/2019-09-30/functions/{name}/provisioned-concurrency";

const putInput = z.object({
  ProvisionedConcurrentExecutions: z.number().int().min(1, "ProvisionedConcurrentExecutions must be at least 1"),
});

const notFound = () => new UnkaiError("ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function");

export function provisionedConcurrencyRoutes(router: Router, functions: FunctionService, provisioned: ProvisionedConcurrency, maxEnvironments: number): void {
  // A quarter of the host's environments (at least one) always stays for on-demand ones: provisioned
  // environments are never reclaimed, so without it they could leave other functions nowhere to run.
  const maxProvisioned = maxEnvironments - Math.max(1, Math.ceil(maxEnvironments / 4));
  /** The function and qualifier a request names; the qualifier must be a published version or an alias. */
  const target = (request: UnkaiRequest, raw: string) => {
    const { name, qualifier } = parseFunctionRef(raw, request.query.get("Qualifier") ?? undefined, functions.account);
    if (qualifier === undefined) throw invalidParameter("Qualifier is required: a published version number or an alias name.");
    if (qualifier === "$LATEST") throw invalidParameter("Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
    return { name, qualifier };
  };
  /** The qualifier's config; without one, ResourceNotFoundException for a qualifier that does not exist, else Lambda's not-found. */
  const configOf = async (name: string, qualifier: string): Promise<ProvisionedConcurrencyConfig> => {
    const config = ownValue((await functions.get(name)).provisionedConcurrency ?? {}, qualifier);
    if (config) return config;
    await functions.get(name, qualifier);
    throw notFound();
  };
  const shape = async (name: string, qualifier: string, config: ProvisionedConcurrencyConfig) => {
    const status = await provisioned.statusOf(name, qualifier, config);
    return {
      RequestedProvisionedConcurrentExecutions: config.requested,
      AvailableProvisionedConcurrentExecutions: status.allocated,
      AllocatedProvisionedConcurrentExecutions: status.allocated,
      Status: status.status,
      ...(status.reason !== undefined ? { StatusReason: status.reason } : {}),
      LastModified: config.lastModified,
    };
  };

  router
    .on("PUT", PATH, async (request, [raw = ""]) => {
      const { name, qualifier } = target(request, raw);
      const input = parseBody(putInput, request.body);
      // The version or alias must exist; an alias must point at a published version.
      await functions.get(name, qualifier);
      if (!(await provisioned.versionOf(name, qualifier))) {
        throw invalidParameter("Provisioned Concurrency Configs cannot be applied to an alias that points to $LATEST.");
      }
      const requested = input.ProvisionedConcurrentExecutions;
      const config: ProvisionedConcurrencyConfig = { requested, lastModified: lambdaTimestamp(new Date()) };
      await functions.updateMetadata(name, (current) => {
        const others = Object.entries(current.provisionedConcurrency ?? {}).filter(([q]) => q !== qualifier).reduce((sum, [, c]) => sum + c.requested, 0);
        if (current.reservedConcurrency !== undefined && others + requested > current.reservedConcurrency) {
          throw invalidParameter(`Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function (${current.reservedConcurrency}).`);
        }
        const total = provisioned.requestedElsewhere(name) + others + requested;
        if (total > maxProvisioned) {
          throw invalidParameter(
            `Requested Provisioned Concurrency would make ${total} provisioned environments in all; this Unkai keeps at most ${maxProvisioned}, ` +
            `leaving ${maxEnvironments - maxProvisioned} of its ${maxEnvironments} environments (UNKAI_MAX_ENVIRONMENTS) for on-demand ones.`,
          );
        }
        return { ...current, provisionedConcurrency: { ...current.provisionedConcurrency, [qualifier]: config } };
      });
      await provisioned.afterPut(name, qualifier);
      const shown = await shape(name, qualifier, config);
      // Put answers while the allocation runs, as Lambda does (202, IN_PROGRESS).
      return json(202, { ...shown, Status: shown.Status === "FAILED" ? "FAILED" : "IN_PROGRESS" });
    })
    .on("GET", PATH, async (request, [raw = ""]) => {
      if (request.query.get("List") !== null) {
        const { name } = parseFunctionRef(raw, undefined, functions.account);
        if (request.query.get("List") !== "ALL") throw invalidParameter("List must be ALL.");
        const record = await functions.get(name);
        const maxItems = pageSize(request, 50);
        const marker = request.query.get("Marker");
        const qualifiers = Object.keys(record.provisionedConcurrency ?? {}).sort().filter((q) => marker === null || q > marker);
        const page = qualifiers.slice(0, maxItems);
        const configs = await Promise.all(page.map(async (q) => ({
          FunctionArn: functions.arn(name, q), ...(await shape(name, q, ownValue(record.provisionedConcurrency ?? {}, q) as ProvisionedConcurrencyConfig)),
        })));
        return json(200, { ProvisionedConcurrencyConfigs: configs, ...(qualifiers.length > maxItems ? { NextMarker: page.at(-1) } : {}) });
      }
      const { name, qualifier } = target(request, raw);
      return json(200, await shape(name, qualifier, await configOf(name, qualifier)));
    })
    .on("DELETE", PATH, async (request, [raw = ""]) => {
      const { name, qualifier } = target(request, raw);
      await configOf(name, qualifier);
      await provisioned.forget(name, qualifier);
      return empty(204);
    });
}

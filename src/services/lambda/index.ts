/** The Lambda service on the restJson1 wire: routes to FunctionService and the Invoker. */
import { parseFunctionRef } from "../../core/arn.js";
import type { Logger } from "pino";
import { invalidParameter, UnkaiError } from "../../core/errors.js";
import { LIMITS } from "../../core/limits.js";
import { validateRole } from "../../core/function.js";
import type { Destinations } from "../../async/destinations.js";
import type { AsyncQueue } from "../../async/queue.js";
import type { Invoker } from "../../engine/invoker.js";
import type { CodeStore } from "../../store/code/code-store.js";
import type { AliasStore, DocumentStore, EventInvokeConfigStore, FunctionUrlStore, LayerStore, QueueStore } from "../../store/ports.js";
import { layerRoutes } from "./layers.js";
import { provisionedConcurrencyRoutes } from "./provisioned-concurrency.js";
import type { ProvisionedConcurrency } from "../../functions/provisioned-concurrency.js";
import { aliasRoutes } from "./aliases.js";
import { policyRoutes } from "./policy.js";
import { tagRoutes, validateTags } from "./tags.js";
import { asUnkaiError, restJsonError } from "../../protocol/errors.js";
import { empty, json, type UnkaiRequest, type Service } from "../../protocol/http.js";
import { Router } from "../../protocol/router.js";
import type { FreeSpace } from "../../store/disk-space.js";
import type { FunctionService } from "../../functions/function-service.js";
import { pageSize } from "./paging.js";
import { listFunctions } from "./list-functions.js";
import { packageZip, type S3CodeSource } from "./code-from-s3.js";
import { ObjectBodies } from "../../store/objects/object-bodies.js";
import { eventInvokeConfigRoutes } from "./event-invoke-config.js";
import { invoke } from "./invoke.js";
import { LAMBDA_ERRORS } from "./errors.js";
import type { ServiceModule } from "../module.js";
import { codeKey } from "../../store/code/code-store.js";
import { invokeWithResponseStream } from "./invoke-stream.js";
import { functionUrlRoutes } from "./function-urls.js";
import { eventSourceMappingRoutes } from "./event-source-mappings.js";
import type { ShardSources } from "../../sources/shard-source.js";
import type { EventSourceMapping } from "../../core/event-source-mapping.js";
import { lambdaActions } from "./authorization.js";
import { restActions, unmappedRoutes } from "../../protocol/action-table.js";
import {
  applyConfig,
  createFunctionInput,
  functionConfiguration,
  parseBody,
  publishVersionInput,
  putConcurrencyInput,
  updateCodeInput,
  updateConfigurationInput,
} from "./shapes.js";

export interface LambdaServiceDeps {
  readonly functions: FunctionService;
  readonly invoker: Invoker;
  /**
   * A presigned URL that downloads the code package with this CodeSha256 (Code.Location, valid 10
   * minutes), on the host the caller reached Unkai by (a balancer's, in a cluster).
   */
  readonly codeLocation: (codeSha256: string, host: string | undefined) => Promise<string>;
  readonly logger: Logger;
  readonly queue: AsyncQueue;
  readonly eventConfigs: EventInvokeConfigStore;
  readonly destinations: Destinations;
  readonly aliases: AliasStore;
  readonly layers: LayerStore;
  readonly code: CodeStore;
  /** Where `Code.S3Bucket`/`S3Key` are read from: Unkai's own S3. */
  readonly s3Code: S3CodeSource;
  readonly functionUrls: FunctionUrlStore;
  /** Provisioned concurrency's configs and environments, and the host's cap on environments. */
  readonly provisioned: ProvisionedConcurrency;
  readonly maxEnvironments: number;
  /** A Function URL's public address from its id. */
  readonly functionUrlOf: (urlId: string) => string;
  /** Asynchronous Invoke is refused while the data directory is low on space (code uploads are refused by `code`). */
  readonly space: FreeSpace;
  /** Event source mappings, and the SQS queues and streams they may read. */
  readonly mappings: DocumentStore<EventSourceMapping>;
  readonly queues: QueueStore;
  readonly shards: ShardSources;
  /** With `--iam enforce`: whether Lambda may assume the execution role (it exists and trusts lambda.amazonaws.com). */
  readonly lambdaMayAssume?: ((roleArn: string) => Promise<boolean>) | undefined;
  /** With `--iam enforce`: the first action a function's execution role may not perform on a resource (event source mappings). */
  readonly roleDenies?: ((functionName: string, actions: readonly string[], resource: string) => Promise<string | undefined>) | undefined;
}


export function lambdaService(deps: LambdaServiceDeps): Service {
  const { functions, invoker, codeLocation, logger, queue, eventConfigs, destinations, aliases, layers, code, s3Code, functionUrls, functionUrlOf, space, lambdaMayAssume } = deps;
  /** AWS's refusal of an execution role Lambda cannot assume (only checked with `--iam enforce`). */
  const checkRole = async (role: string | undefined) => {
    // The ARN's form is checked first, so a malformed one gets its own message, as on AWS.
    if (role !== undefined) validateRole(role);
    if (lambdaMayAssume && role !== undefined && !(await lambdaMayAssume(role))) throw invalidParameter("The role defined for the function cannot be assumed by Lambda.");
  };
  const ref = (request: UnkaiRequest, raw: string) => parseFunctionRef(raw, request.query.get("Qualifier") ?? undefined, functions.account);
  const unqualified = (request: UnkaiRequest, raw: string, operation: string) => {
    const { name, qualifier } = ref(request, raw);
    if (qualifier !== undefined) {
      throw invalidParameter(`This operation is permitted on Lambda functions only. Qualified ARN or name is not allowed for ${operation}.`);
    }
    return name;
  };

  const router = new Router()
    .on("POST", "/2015-03-31/functions", async (request) => {
      const input = parseBody(createFunctionInput, request.body);
      await checkRole(input.Role);
      if (input.PackageType === "Image") throw invalidParameter("Container image functions are not supported by Unkai; package the function as a zip.");
      const layers = input.Layers ? await functions.resolveLayers(input.Layers) : [];
      const base = applyConfig(input.FunctionName, undefined, input, () => layers);
      const config = { ...base, architecture: input.Architectures?.[0] ?? "x86_64" };
      validateTags(input.Tags ?? {});
      const record = await functions.create(input.FunctionName, config, await packageZip(input.Code, s3Code), input.Tags ?? {});
      // Publish: version 1 at once; Lambda answers its configuration (Version "1") under the unqualified ARN.
      const answered = input.Publish === true ? await functions.publishVersion(record.name, {}) : record;
      return json(201, functionConfiguration(answered, functions.arn(record.name)));
    })
    .on("GET", "/2015-03-31/functions", async (request) => json(200, await listFunctions(functions, request.query, pageSize(request))))
    .on("GET", "/2015-03-31/functions/{name}", async (request, [raw = ""]) => {
      const { name, qualifier } = ref(request, raw);
      const record = await functions.get(name, qualifier);
      return json(200, {
        Configuration: functionConfiguration(record, functions.arn(name, qualifier)),
        Code: { RepositoryType: "S3", Location: await codeLocation(record.codeSha256, request.headers.host) },
        ...(Object.keys(record.tags).length > 0 ? { Tags: record.tags } : {}),
        ...(record.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: record.reservedConcurrency } } : {}),
      });
    })
    .on("GET", "/2015-03-31/functions/{name}/configuration", async (request, [raw = ""]) => {
      const { name, qualifier } = ref(request, raw);
      return json(200, functionConfiguration(await functions.get(name, qualifier), functions.arn(name, qualifier)));
    })
    .on("PUT", "/2015-03-31/functions/{name}/code", async (request, [raw = ""]) => {
      const name = unqualified(request, raw, "UpdateFunctionCode");
      const input = parseBody(updateCodeInput, request.body);
      const dryRun = input.DryRun ?? false;
      const record = await functions.updateCode(name, await packageZip(input, s3Code), input.RevisionId, dryRun);
      if (input.Publish !== true || dryRun) return json(200, functionConfiguration(record, functions.arn(name)));
      // Publish: the new code as the next version (or the last one, when nothing changed since), answered under its qualified ARN.
      const version = await functions.publishVersion(name, {});
      return json(200, functionConfiguration(version, functions.arn(name, version.version)));
    })
    .on("PUT", "/2015-03-31/functions/{name}/configuration", async (request, [raw = ""]) => {
      const name = unqualified(request, raw, "UpdateFunctionConfiguration");
      const input = parseBody(updateConfigurationInput, request.body);
      await checkRole(input.Role);
      const layers = input.Layers ? await functions.resolveLayers(input.Layers) : [];
      const record = await functions.updateConfiguration(name, (current) => applyConfig(name, current, input, () => layers), input.RevisionId);
      return json(200, functionConfiguration(record, functions.arn(name)));
    })
    .on("DELETE", "/2015-03-31/functions/{name}", async (request, [raw = ""]) => {
      const { name, qualifier } = ref(request, raw);
      await functions.delete(name, qualifier);
      // A deleted version takes its provisioned concurrency config with it; a deleted function all of them.
      if (qualifier !== undefined) await deps.provisioned.forget(name, qualifier);
      else await deps.provisioned.reconcile(name);
      return empty(204);
    })
    .on("POST", "/2015-03-31/functions/{name}/invocations", (request, [raw = ""]) => invoke(functions, invoker, queue, space, request, raw))
    .on("POST", "/2021-11-15/functions/{name}/response-streaming-invocations", (request, [raw = ""]) => invokeWithResponseStream(functions, invoker, request, raw))
    .on("POST", "/2015-03-31/functions/{name}/versions", async (request, [raw = ""]) => {
      const name = unqualified(request, raw, "PublishVersion");
      const input = parseBody(publishVersionInput, request.body);
      const record = await functions.publishVersion(name, { codeSha256: input.CodeSha256, revisionId: input.RevisionId, description: input.Description });
      return json(201, functionConfiguration(record, functions.arn(name, record.version)));
    })
    .on("GET", "/2015-03-31/functions/{name}/versions", async (request, [raw = ""]) => {
      const name = unqualified(request, raw, "ListVersionsByFunction");
      const maxItems = pageSize(request);
      const { records, next } = await functions.listVersions(name, request.query.get("Marker") ?? undefined, maxItems);
      return json(200, {
        Versions: records.map((record) => functionConfiguration(record, functions.arn(name, record.version ?? "$LATEST"))),
        ...(next ? { NextMarker: next } : {}),
      });
    })
    .on("PUT", "/2017-10-31/functions/{name}/concurrency", async (request, [raw = ""]) => {
      const name = unqualified(request, raw, "PutFunctionConcurrency");
      const input = parseBody(putConcurrencyInput, request.body);
      const record = await functions.putConcurrency(name, input.ReservedConcurrentExecutions);
      return json(200, { ReservedConcurrentExecutions: record.reservedConcurrency });
    })
    .on("GET", "/2019-09-30/functions/{name}/concurrency", async (request, [raw = ""]) => {
      const name = unqualified(request, raw, "GetFunctionConcurrency");
      const record = await functions.get(name);
      return json(200, record.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: record.reservedConcurrency });
    })
    .on("DELETE", "/2017-10-31/functions/{name}/concurrency", async (request, [raw = ""]) => {
      await functions.deleteConcurrency(unqualified(request, raw, "DeleteFunctionConcurrency"));
      return empty(204);
    })
    .on("GET", "/2020-06-30/functions/{name}/code-signing-config", async (request, [raw = ""]) => {
      const name = unqualified(request, raw, "GetFunctionCodeSigningConfig");
      await functions.get(name);
      return json(200, { CodeSigningConfigArn: "", FunctionName: name });
    })
    .on("GET", "/2016-08-19/account-settings", async () => {
      const usage = await functions.accountUsage();
      return json(200, {
        AccountLimit: {
          TotalCodeSize: 80_530_636_800,
          CodeSizeUnzipped: LIMITS.unzippedCodeBytes,
          CodeSizeZipped: LIMITS.zippedCodeBytes,
          ConcurrentExecutions: usage.accountLimit,
          UnreservedConcurrentExecutions: usage.unreserved,
        },
        AccountUsage: { TotalCodeSize: usage.totalCodeSize, FunctionCount: usage.functionCount },
      });
    });

  eventInvokeConfigRoutes(router, functions, eventConfigs, destinations);
  aliasRoutes(router, functions, aliases, deps.provisioned);
  provisionedConcurrencyRoutes(router, functions, deps.provisioned, deps.maxEnvironments);
  tagRoutes(router, functions);
  policyRoutes(router, functions);
  layerRoutes(router, layers, code, functions.account, codeLocation, s3Code);
  functionUrlRoutes(router, { functions, urls: functionUrls, urlOf: functionUrlOf });
  eventSourceMappingRoutes(router, { functions, mappings: deps.mappings, queues: deps.queues, shards: deps.shards, destinations: deps.destinations, roleDenies: deps.roleDenies });
  const table = lambdaActions(functions.account);
  const unmapped = unmappedRoutes(router.routeKeys(), table);
  if (unmapped.length > 0) throw new Error(`Lambda routes without an IAM action in authorization.ts: ${unmapped.join(", ")}`);
  const authorize = restActions(table);

  return {
    name: "lambda",
    authorize,
    signingNames: ["lambda"],
    matches: (request) => /^\/20\d\d-\d\d-\d\d\//.test(request.path) && router.matchesPath(request.path),
    async handle(request) {
      try {
        return await router.handle(request);
      } catch (error) {
        if (!(error instanceof UnkaiError)) logger.error({ err: error, path: request.path }, "internal error in the Lambda API");
        return restJsonError(asUnkaiError(error), LAMBDA_ERRORS);
      }
    },
  };
}

/** This Unkai's scheme on the host the caller used (any node of a cluster verifies the URL: the signing key is shared). */
function callerBase(own: string, host: string | undefined): string {
  return host ? `${own.startsWith("https:") ? "https" : "http"}://${host}` : own;
}

/** Lambda's management and Invoke API; GetFunction's Code.Location is a URL Unkai presigns for its own `/_unkai/code/`. */
export const lambdaModule: ServiceModule = {
  name: "lambda",
  errors: { kind: "json", table: LAMBDA_ERRORS, heading: "## Lambda errors" },
  compatibility: "docs/compatibility/lambda.md",
  create: (p) => lambdaService({
    functions: p.functions, invoker: p.invoker, queue: p.queue, destinations: p.destinations, eventConfigs: p.store.eventInvokeConfigs, aliases: p.store.aliases, layers: p.store.layers, code: p.code,
    s3Code: { objects: p.store.objects, bodies: new ObjectBodies(p.blobs.store) },
    codeLocation: (codeSha256, host) => p.credentials.presignUrl(callerBase(p.url(), host), `/_unkai/code/${codeKey(codeSha256)}.zip`, p.account.region), logger: p.logger("lambda"),
    provisioned: p.provisioned, maxEnvironments: p.maxEnvironments,
    functionUrls: p.store.functionUrls, functionUrlOf: (id) => `${p.hostUrl(`${id}.lambda-url.${p.account.region}.localhost`)}/`, space: p.space,
    mappings: p.store.eventSourceMappings, queues: p.store.queues, shards: p.shards,
    lambdaMayAssume: p.iamEnforcer && ((role) => p.iamEnforcer?.lambdaMayAssume(role) ?? Promise.resolve(true)),
    roleDenies: p.iamEnforcer && ((fn, actions, resource) => p.iamEnforcer?.functionRoleDenies(fn, actions, resource) ?? Promise.resolve(undefined)),
  }),
};

/** PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers, ListLayerVersions, DeleteLayerVersion (and the policy's routes). */
import { z } from "zod/v3";
import type { Account } from "../../core/arn.js";
import { invalidParameter, notFound } from "../../core/errors.js";
import { parseLayerVersionArn, validateLayerName, type LayerVersionRecord } from "../../core/layer.js";
import { isRuntimeId } from "../../core/runtimes.js";
import { empty, json, type UnkaiRequest } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import type { CodeStore } from "../../store/code/code-store.js";
import type { LayerStore } from "../../store/ports.js";
import { parseBody } from "./shapes.js";
import { packageZip, type S3CodeSource } from "./code-from-s3.js";
import { layerPolicyRoutes } from "./layer-policy.js";
import { pageSize } from "./paging.js";

const publishInput = z.object({
  Description: z.string().max(256).optional(),
  Content: z.object({ ZipFile: z.string().optional(), S3Bucket: z.string().optional(), S3Key: z.string().optional(), S3ObjectVersion: z.string().optional() }),
  CompatibleRuntimes: z.array(z.string()).max(15).optional(),
  CompatibleArchitectures: z.array(z.enum(["x86_64", "arm64"])).max(2).optional(),
  LicenseInfo: z.string().max(512).optional(),
});

export function layerRoutes(
  router: Router, layers: LayerStore, code: CodeStore, account: Account, codeLocation: (codeSha256: string, host: string | undefined) => Promise<string>, s3Code: S3CodeSource,
): void {
  const layerArn = (name: string) => `arn:aws:lambda:${account.region}:${account.accountId}:layer:${name}`;
  const shape = (layer: LayerVersionRecord) => ({
    LayerVersionArn: `${layerArn(layer.layerName)}:${layer.version}`,
    Version: layer.version,
    Description: layer.description,
    CreatedDate: layer.createdDate,
    CompatibleRuntimes: layer.compatibleRuntimes,
    CompatibleArchitectures: layer.compatibleArchitectures,
    ...(layer.licenseInfo ? { LicenseInfo: layer.licenseInfo } : {}),
  });
  const full = async (layer: LayerVersionRecord, request: UnkaiRequest) => ({
    Content: { Location: await codeLocation(layer.codeSha256, request.headers.host), CodeSha256: layer.codeSha256, CodeSize: layer.codeSize },
    LayerArn: layerArn(layer.layerName),
    ...shape(layer),
  });
  const existing = async (name: string, version: string) => {
    const layer = await layers.get(name, Number(version));
    if (!layer) throw notFound(`The resource you requested does not exist. (Layer version ${layerArn(name)}:${version})`);
    return layer;
  };

  router
    .on("POST", "/2018-10-31/layers/{name}/versions", async (request, [name = ""]) => {
      validateLayerName(name);
      const input = parseBody(publishInput, request.body);
      for (const runtime of input.CompatibleRuntimes ?? []) {
        if (!isRuntimeId(runtime)) throw notFound(`CompatibleRuntimes value '${runtime}' is not a runtime Unkai knows.`);
      }
      const stored = await code.put(await packageZip(input.Content, s3Code));
      const layer = await layers.publish({
        layerName: name,
        description: input.Description ?? "",
        codeSha256: stored.codeSha256,
        codeSize: stored.codeSize,
        unzippedSize: stored.unzippedSize,
        compatibleRuntimes: input.CompatibleRuntimes ?? [],
        compatibleArchitectures: input.CompatibleArchitectures ?? [],
        licenseInfo: input.LicenseInfo,
        createdDate: new Date().toISOString().replace("Z", "+0000"),
      });
      return json(201, await full(layer, request));
    })
    .on("GET", "/2018-10-31/layers/{name}/versions/{version}", async (request, [name = "", version = ""]) => json(200, await full(await existing(name, version), request)))
    .on("GET", "/2018-10-31/layers", async (request) => {
      if (request.query.get("find") === "LayerVersion") {
        const { layerName, version } = parseLayerVersionArn(request.query.get("Arn") ?? "");
        return json(200, await full(await existing(layerName, String(version)), request));
      }
      const maxItems = pageSize(request, 50);
      const page = await layers.latest(request.query.get("Marker") ?? undefined, maxItems + 1);
      const shown = page.slice(0, maxItems);
      return json(200, {
        Layers: shown.map((layer) => ({ LayerName: layer.layerName, LayerArn: layerArn(layer.layerName), LatestMatchingVersion: shape(layer) })),
        ...(page.length > maxItems ? { NextMarker: shown.at(-1)?.layerName } : {}),
      });
    })
    .on("GET", "/2018-10-31/layers/{name}/versions", async (request, [name = ""]) => {
      const maxItems = pageSize(request, 50);
      const marker = request.query.get("Marker");
      const runtime = request.query.get("CompatibleRuntime");
      if (marker && !/^\d{1,9}$/.test(marker)) throw invalidParameter(`Marker '${marker.slice(0, 100)}' is not a NextMarker this operation returned.`);
      const page = (await layers.versions(name, marker ? Number(marker) : undefined, maxItems + 1))
        .filter((layer) => runtime === null || layer.compatibleRuntimes.length === 0 || layer.compatibleRuntimes.includes(runtime));
      const shown = page.slice(0, maxItems);
      return json(200, { LayerVersions: shown.map(shape), ...(page.length > maxItems ? { NextMarker: String(shown.at(-1)?.version) } : {}) });
    })
    .on("DELETE", "/2018-10-31/layers/{name}/versions/{version}", async (_request, [name = "", version = ""]) => {
      // Deleting a version that is gone already succeeds, as on Lambda; functions keep their copy.
      await layers.delete(name, Number(version));
      return empty(204);
    });
  layerPolicyRoutes(router, layers, account);
}

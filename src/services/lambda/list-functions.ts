/**
 * ListFunctions: one page of functions by name, `$LATEST` only, or with `FunctionVersion=ALL` every
 * function's `$LATEST` followed by its published versions, as Lambda lists them. `MaxItems` counts
 * entries either way; an ALL page may stop inside a function's versions, and its marker resumes there.
 */
import { UnkaiError } from "../../core/errors.js";
import type { FunctionRecord } from "../../core/function.js";
import type { FunctionService } from "../../functions/function-service.js";
import { functionConfiguration } from "./shapes.js";

/** A marker: the last function listed, and with ALL where its versions stop (listVersions' marker). */
const encode = (name: string, versionMarker?: string) => Buffer.from(versionMarker === undefined ? name : `${name}\n${versionMarker}`).toString("base64url");
function decode(marker: string | null): { name: string; versionMarker: string | undefined } | undefined {
  if (!marker) return undefined;
  const [name = "", versionMarker] = Buffer.from(marker, "base64url").toString("utf8").split("\n");
  return { name, versionMarker };
}

/** `name`'s entries after `marker`, at most `limit`; none for a function deleted since the last page. */
function versionsOf(functions: FunctionService, name: string, marker: string | undefined, limit: number): Promise<{ records: FunctionRecord[]; next: string | undefined }> {
  return functions.listVersions(name, marker, limit).catch((error: unknown) => {
    if (error instanceof UnkaiError && error.code === "ResourceNotFoundException") return { records: [], next: undefined };
    throw error;
  });
}

async function everyVersion(functions: FunctionService, marker: ReturnType<typeof decode>, maxItems: number): Promise<{ entries: FunctionRecord[]; next: string | undefined }> {
  const entries: FunctionRecord[] = [];
  if (marker?.versionMarker !== undefined) {
    const rest = await versionsOf(functions, marker.name, marker.versionMarker, maxItems);
    entries.push(...rest.records);
    if (rest.next !== undefined) return { entries, next: encode(marker.name, rest.next) };
  }
  let after = marker?.name;
  while (entries.length < maxItems) {
    const page = await functions.list(after, maxItems - entries.length);
    for (const [i, record] of page.records.entries()) {
      const versions = await versionsOf(functions, record.name, undefined, maxItems - entries.length);
      entries.push(...versions.records);
      if (versions.next !== undefined) return { entries, next: encode(record.name, versions.next) };
      after = record.name;
      const more = i < page.records.length - 1 || page.next !== undefined;
      if (entries.length >= maxItems) return { entries, next: more ? encode(record.name) : undefined };
    }
    if (page.next === undefined) break;
  }
  return { entries, next: undefined };
}

export async function listFunctions(functions: FunctionService, query: URLSearchParams, maxItems: number): Promise<object> {
  const version = query.get("FunctionVersion");
  if (version !== null && version !== "ALL") {
    throw new UnkaiError("ValidationException", `1 validation error detected: Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`);
  }
  const marker = decode(query.get("Marker"));
  let listed: { entries: FunctionRecord[]; next: string | undefined };
  if (version === "ALL") listed = await everyVersion(functions, marker, maxItems);
  else {
    const page = await functions.list(marker?.name, maxItems);
    listed = { entries: page.records, next: page.next === undefined ? undefined : encode(page.next) };
  }
  // Listing every version, $LATEST is named as ListVersionsByFunction names it (qualified); alone, unqualified.
  const Functions = listed.entries.map((record) => {
    const arn = version === "ALL" ? functions.arn(record.name, record.version ?? "$LATEST") : functions.arn(record.name);
    const { State: _s, LastUpdateStatus: _l, ...rest } = functionConfiguration(record, arn);
    return rest;
  });
  return { Functions, ...(listed.next ? { NextMarker: listed.next } : {}) };
}

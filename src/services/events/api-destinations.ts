/**
 * CreateApiDestination, DescribeApiDestination, ListApiDestinations, UpdateApiDestination,
 * DeleteApiDestination. An API destination is an HTTP endpoint and the connection whose credentials
 * call it; rule targets name it by ARN (api-destination-target.ts delivers to it).
 */
import { randomUUID } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";
import type { ApiDestinationRecord, ConnectionRecord } from "../../core/events/resources.js";
import type { DocumentStore } from "../../store/ports.js";
import { connectionMissing, connectionOfArn } from "./connections.js";
import { page } from "./paging.js";

export interface ApiDestinationDeps {
  readonly connections: DocumentStore<ConnectionRecord>;
  readonly apiDestinations: DocumentStore<ApiDestinationRecord>;
  readonly account: { readonly accountId: string; readonly region: string };
  readonly now: () => number;
}

/** The API destination an `arn:aws:events:…:api-destination/<name>/<uuid>` ARN names. */
export function apiDestinationOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:api-destination\/([.\-_A-Za-z0-9]+)\/[0-9a-f-]+$/.exec(arn)?.[1];
}

export function apiDestinationMissing(name: string, action = "describe"): UnkaiError {
  return new UnkaiError("ResourceNotFoundException", `Failed to ${action} the api-destination(s). An api-destination '${name}' does not exist.`);
}

/**
 * Unkai runs on a developer's machine, so any http or https endpoint is allowed (AWS allows only
 * public https ones); other schemes (file:, ftp:, …) are refused.
 */
function checkEndpoint(endpoint: string, action: string): void {
  let scheme: string | undefined;
  try {
    scheme = new URL(endpoint.replaceAll("*", "x")).protocol;
  } catch {
    scheme = undefined;
  }
  if (scheme !== "http:" && scheme !== "https:") {
    throw new UnkaiError("ValidationException",
      `Failed to ${action} the api-destination(s). Parameter InvocationEndpoint is not valid. Reason: Endpoint '${endpoint}' is invalid: Unkai calls only http:// and https:// endpoints.`);
  }
}

function described(d: ApiDestinationRecord) {
  return {
    ApiDestinationArn: d.Arn, Name: d.Name, ...(d.Description !== undefined ? { Description: d.Description } : {}), ApiDestinationState: "ACTIVE",
    ConnectionArn: d.ConnectionArn, InvocationEndpoint: d.InvocationEndpoint, HttpMethod: d.HttpMethod,
    ...(d.InvocationRateLimitPerSecond !== undefined ? { InvocationRateLimitPerSecond: d.InvocationRateLimitPerSecond } : {}),
    CreationTime: new Date(d.CreationTime), LastModifiedTime: new Date(d.LastModifiedTime),
  };
}

function answer(d: ApiDestinationRecord) {
  return { ApiDestinationArn: d.Arn, ApiDestinationState: "ACTIVE", CreationTime: new Date(d.CreationTime), LastModifiedTime: new Date(d.LastModifiedTime) };
}

interface ApiDestinationInput {
  readonly Name: string;
  readonly Description?: string;
  readonly ConnectionArn?: string;
  readonly InvocationEndpoint?: string;
  readonly HttpMethod?: string;
  readonly InvocationRateLimitPerSecond?: number;
}

export function apiDestinationOperations(deps: ApiDestinationDeps) {
  const { apiDestinations } = deps;
  const prefix = `arn:aws:events:${deps.account.region}:${deps.account.accountId}`;
  const requireConnection = async (arn: string): Promise<void> => {
    const name = connectionOfArn(arn);
    const connection = name !== undefined ? await deps.connections.get(name) : undefined;
    if (!connection || connection.Arn !== arn) throw connectionMissing(name ?? arn);
  };
  const requireDestination = async (name: string, action?: string): Promise<ApiDestinationRecord> => {
    const destination = await apiDestinations.get(name);
    if (!destination) throw apiDestinationMissing(name, action);
    return destination;
  };

  return {
    async CreateApiDestination(input: ApiDestinationInput & { ConnectionArn: string; InvocationEndpoint: string; HttpMethod: string }) {
      if (await apiDestinations.get(input.Name)) throw new UnkaiError("ResourceAlreadyExistsException", `An api-destination '${input.Name}' already exists.`);
      checkEndpoint(input.InvocationEndpoint, "create");
      await requireConnection(input.ConnectionArn);
      const now = deps.now();
      const destination: ApiDestinationRecord = {
        Name: input.Name, Arn: `${prefix}:api-destination/${input.Name}/${randomUUID()}`,
        ...(input.Description !== undefined ? { Description: input.Description } : {}),
        ConnectionArn: input.ConnectionArn, InvocationEndpoint: input.InvocationEndpoint, HttpMethod: input.HttpMethod,
        ...(input.InvocationRateLimitPerSecond !== undefined ? { InvocationRateLimitPerSecond: input.InvocationRateLimitPerSecond } : {}),
        CreationTime: now, LastModifiedTime: now,
      };
      await apiDestinations.put(input.Name, destination);
      return answer(destination);
    },
    async DescribeApiDestination(input: { Name: string }) {
      return described(await requireDestination(input.Name));
    },
    async ListApiDestinations(input: { NamePrefix?: string; ConnectionArn?: string; NextToken?: string; Limit?: number }) {
      const all = (await apiDestinations.list())
        .filter((d) => d.Name.startsWith(input.NamePrefix ?? "") && (input.ConnectionArn === undefined || d.ConnectionArn === input.ConnectionArn))
        .sort((a, b) => a.Name.localeCompare(b.Name));
      const { items, next } = page(all, input.NextToken, input.Limit);
      return { ApiDestinations: items.map(({ Description: _d, ...d }) => described(d)), ...(next ? { NextToken: next } : {}) };
    },
    async UpdateApiDestination(input: ApiDestinationInput) {
      const old = await requireDestination(input.Name, "update");
      if (input.InvocationEndpoint !== undefined) checkEndpoint(input.InvocationEndpoint, "update");
      if (input.ConnectionArn !== undefined) await requireConnection(input.ConnectionArn);
      const { Name: _name, ...changes } = input;
      const updated: ApiDestinationRecord = { ...old, ...changes, LastModifiedTime: deps.now() };
      await apiDestinations.put(input.Name, updated);
      return answer(updated);
    },
    async DeleteApiDestination(input: { Name: string }) {
      await requireDestination(input.Name, "delete");
      await apiDestinations.delete(input.Name);
      return {};
    },
  };
}

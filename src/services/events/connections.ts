/**
 * CreateConnection, DescribeConnection, ListConnections, UpdateConnection, DeleteConnection: the
 * credentials API destinations call with. The secrets (API key value, password, OAuth client secret,
 * parameters marked IsValueSecret) stay in the store; no answer ever carries them, as AWS keeps them
 * in Secrets Manager and describes only the non-secret parts.
 */
import { randomUUID } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";
import type {
  ConnectionAuthParameters, ConnectionAuthorizationType, ConnectionHttpParameters, ConnectionParameter, ConnectionRecord,
} from "../../core/events/resources.js";
import type { DocumentStore } from "../../store/ports.js";
import { page } from "./paging.js";

export interface ConnectionDeps {
  readonly connections: DocumentStore<ConnectionRecord>;
  readonly account: { readonly accountId: string; readonly region: string };
  readonly now: () => number;
}

/** Connections are authorized at once: Unkai performs no handshake for API_KEY and BASIC. */
const AUTHORIZED = "AUTHORIZED";

/** Which member of AuthParameters each authorization type requires. */
const AUTH_MEMBER = {
  API_KEY: "ApiKeyAuthParameters",
  BASIC: "BasicAuthParameters",
  OAUTH_CLIENT_CREDENTIALS: "OAuthParameters",
} as const satisfies Record<ConnectionAuthorizationType, keyof ConnectionAuthParameters>;

export function connectionMissing(name: string): UnkaiError {
  return new UnkaiError("ResourceNotFoundException", `Failed to describe the connection(s). Connection '${name}' does not exist.`);
}

/** The connection an `arn:aws:events:…:connection/<name>/<uuid>` ARN names. */
export function connectionOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:connection\/([.\-_A-Za-z0-9]+)\/[0-9a-f-]+$/.exec(arn)?.[1];
}

function checkAuth(type: ConnectionAuthorizationType, auth: ConnectionAuthParameters, action: string): void {
  const member = AUTH_MEMBER[type];
  if (auth[member] === undefined) {
    throw new UnkaiError("ValidationException", `Failed to ${action} the connection(s). AuthParameters.${member} must be specified for AuthorizationType ${type}.`);
  }
  const key = auth.ApiKeyAuthParameters;
  if (type === "API_KEY" && (!key?.ApiKeyName || key.ApiKeyValue === undefined)) {
    throw new UnkaiError("ValidationException", `Failed to ${action} the connection(s). ApiKeyAuthParameters needs ApiKeyName and ApiKeyValue.`);
  }
  const basic = auth.BasicAuthParameters;
  if (type === "BASIC" && (!basic?.Username || basic.Password === undefined)) {
    throw new UnkaiError("ValidationException", `Failed to ${action} the connection(s). BasicAuthParameters needs Username and Password.`);
  }
}

/** Parameters as described: a secret value is left out. */
function shownParameters(list: readonly ConnectionParameter[] | undefined): ConnectionParameter[] | undefined {
  return list?.map(({ Value, ...rest }) => (rest.IsValueSecret ? rest : { ...rest, ...(Value !== undefined ? { Value } : {}) }));
}

function shownHttp(http: ConnectionHttpParameters | undefined): ConnectionHttpParameters | undefined {
  if (!http) return undefined;
  return {
    ...(http.HeaderParameters ? { HeaderParameters: shownParameters(http.HeaderParameters) } : {}),
    ...(http.QueryStringParameters ? { QueryStringParameters: shownParameters(http.QueryStringParameters) } : {}),
    ...(http.BodyParameters ? { BodyParameters: shownParameters(http.BodyParameters) } : {}),
  };
}

/** AuthParameters as DescribeConnection shows them: names, usernames and client ids, never a secret. */
function shownAuth(auth: ConnectionAuthParameters): Record<string, unknown> {
  const oauth = auth.OAuthParameters;
  const invocation = shownHttp(auth.InvocationHttpParameters);
  return {
    ...(auth.ApiKeyAuthParameters ? { ApiKeyAuthParameters: { ApiKeyName: auth.ApiKeyAuthParameters.ApiKeyName } } : {}),
    ...(auth.BasicAuthParameters ? { BasicAuthParameters: { Username: auth.BasicAuthParameters.Username } } : {}),
    ...(oauth ? {
      OAuthParameters: {
        ClientParameters: { ClientID: oauth.ClientParameters?.ClientID },
        AuthorizationEndpoint: oauth.AuthorizationEndpoint,
        HttpMethod: oauth.HttpMethod,
        ...(oauth.OAuthHttpParameters ? { OAuthHttpParameters: shownHttp(oauth.OAuthHttpParameters) } : {}),
      },
    } : {}),
    ...(invocation ? { InvocationHttpParameters: invocation } : {}),
  };
}

function times(c: ConnectionRecord) {
  return { CreationTime: new Date(c.CreationTime), LastModifiedTime: new Date(c.LastModifiedTime), LastAuthorizedTime: new Date(c.LastAuthorizedTime) };
}

function summary(c: ConnectionRecord) {
  return { ConnectionArn: c.Arn, Name: c.Name, ConnectionState: AUTHORIZED, AuthorizationType: c.AuthorizationType, ...times(c) };
}

/** UpdateConnection's AuthParameters: each given member replaces the stored one's given fields. */
function mergeAuth(old: ConnectionAuthParameters, update: ConnectionAuthParameters): ConnectionAuthParameters {
  const merged: Record<string, unknown> = { ...old };
  for (const [member, value] of Object.entries(update)) {
    const before = (old as Record<string, unknown>)[member];
    merged[member] = typeof before === "object" && before !== null && typeof value === "object" && value !== null ? { ...before, ...value } : value;
  }
  return merged;
}

interface ConnectionInput {
  readonly Name: string;
  readonly Description?: string;
  readonly AuthorizationType?: ConnectionAuthorizationType;
  readonly AuthParameters?: ConnectionAuthParameters;
}

export function connectionOperations(deps: ConnectionDeps) {
  const { connections } = deps;
  const prefix = `arn:aws:events:${deps.account.region}:${deps.account.accountId}`;
  const requireConnection = async (name: string): Promise<ConnectionRecord> => {
    const connection = await connections.get(name);
    if (!connection) throw connectionMissing(name);
    return connection;
  };

  return {
    async CreateConnection(input: ConnectionInput & { AuthorizationType: ConnectionAuthorizationType; AuthParameters: ConnectionAuthParameters }) {
      if (await connections.get(input.Name)) throw new UnkaiError("ResourceAlreadyExistsException", `Connection '${input.Name}' already exists.`);
      checkAuth(input.AuthorizationType, input.AuthParameters, "create");
      const now = deps.now();
      const id = randomUUID();
      const connection: ConnectionRecord = {
        Name: input.Name,
        Arn: `${prefix}:connection/${input.Name}/${id}`,
        SecretArn: `arn:aws:secretsmanager:${deps.account.region}:${deps.account.accountId}:secret:events!connection/${input.Name}/${id}`,
        ...(input.Description !== undefined ? { Description: input.Description } : {}),
        AuthorizationType: input.AuthorizationType,
        AuthParameters: input.AuthParameters,
        CreationTime: now, LastModifiedTime: now, LastAuthorizedTime: now,
      };
      await connections.put(input.Name, connection);
      return { ConnectionArn: connection.Arn, ConnectionState: AUTHORIZED, CreationTime: new Date(now), LastModifiedTime: new Date(now) };
    },
    async DescribeConnection(input: { Name: string }) {
      const c = await requireConnection(input.Name);
      return {
        ...summary(c), ...(c.Description !== undefined ? { Description: c.Description } : {}), SecretArn: c.SecretArn, AuthParameters: shownAuth(c.AuthParameters),
      };
    },
    async ListConnections(input: { NamePrefix?: string; ConnectionState?: string; NextToken?: string; Limit?: number }) {
      const all = (await connections.list())
        .filter((c) => c.Name.startsWith(input.NamePrefix ?? "") && (input.ConnectionState === undefined || input.ConnectionState === AUTHORIZED))
        .sort((a, b) => a.Name.localeCompare(b.Name));
      const { items, next } = page(all, input.NextToken, input.Limit);
      return { Connections: items.map(summary), ...(next ? { NextToken: next } : {}) };
    },
    async UpdateConnection(input: ConnectionInput) {
      const old = await requireConnection(input.Name);
      const type = input.AuthorizationType ?? old.AuthorizationType;
      // A new authorization type replaces the old credentials; the same type updates them in place.
      const auth = input.AuthParameters === undefined ? old.AuthParameters
        : type === old.AuthorizationType ? mergeAuth(old.AuthParameters, input.AuthParameters) : input.AuthParameters;
      checkAuth(type, auth, "update");
      const now = deps.now();
      const updated: ConnectionRecord = {
        ...old, ...(input.Description !== undefined ? { Description: input.Description } : {}), AuthorizationType: type, AuthParameters: auth, LastModifiedTime: now, LastAuthorizedTime: now,
      };
      await connections.put(input.Name, updated);
      return { ConnectionArn: updated.Arn, ConnectionState: AUTHORIZED, ...times(updated) };
    },
    async DeleteConnection(input: { Name: string }) {
      const c = await requireConnection(input.Name);
      await connections.delete(input.Name);
      return { ConnectionArn: c.Arn, ConnectionState: "DELETING", ...times(c) };
    },
  };
}

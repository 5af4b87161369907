/**
 * Every access key Unkai accepts, in one lookup for the SigV4 verifier: keys from `unkai keys`
 * (SQLite, read per request so a key created or deleted from the CLI counts at once), a key from
 * UNKAI_ACCESS_KEY_ID, the loopback default, execution environments' session credentials (in
 * memory, revoked when the environment ends), STS AssumeRole sessions (stored until they expire),
 * IAM users' keys (stored with their user) and Unkai's own key for URLs it presigns.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SessionCredentials, CredentialIssuer } from "../engine/environment-variables.js";
import type { Caller } from "../protocol/http.js";
import type { CredentialLookup, SigningSecret } from "../protocol/sigv4-verify.js";
import type { AccessKeyStore, SigningKey, StsSessionStore } from "../store/ports.js";
import { DEFAULT_KEY, newAccessKeyId, newSecretAccessKey, newSessionToken } from "./access-keys.js";

export interface UnkaiCredentialsOptions {
  readonly keys: AccessKeyStore;
  /** A key pair given by environment (UNKAI_ACCESS_KEY_ID / UNKAI_SECRET_ACCESS_KEY). */
  readonly configured: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** Unkai listens on a loopback address: the default key works while no key is configured. */
  readonly loopback: boolean;
  /** Where AssumeRole sessions are kept until they expire (every node's store, across restarts); without it, only in memory. */
  readonly stsSessions?: StsSessionStore | undefined;
}

interface Session extends SigningSecret {
  readonly environmentId: string;
}

/** What STS AssumeRole hands out (credentials and when they stop working). */
export interface RoleSessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresAtMs: number;
}

type RoleSessionPrincipal = Extract<SigningSecret["principal"], { kind: "role-session" }>;

/** How often an IAM user's key's last use is written at most (GetAccessKeyLastUsed is day-grained on AWS). */
const LAST_USED_INTERVAL_MS = 60_000;

/** How long Unkai's presigned code URLs stay valid (AWS's GetFunction URLs: 10 minutes). */
export const CODE_URL_SECONDS = 600;

export class UnkaiCredentials implements CredentialLookup, CredentialIssuer {
  private readonly sessions = new Map<string, Session>();
  private readonly byEnvironment = new Map<string, string>();
  /** When each IAM user's key's use was last written to the store. */
  private readonly lastRecordedMs = new Map<string, number>();
  /**
   * AssumeRole sessions this node issued or has read from the store (`stsSessions`, where they outlive a
   * restart and every node of a cluster finds them), until they expire (docs/iam.md).
   */
  private readonly roleSessions = new Map<string, SigningSecret & { readonly expiresAtMs: number }>();
  /**
   * Unkai's own key: never leaves the process (on one node) or the cluster's store (shared by every
   * node, `shareOwnKey`), so only URLs this Unkai presigned carry it.
   */
  private own: SigningKey = { accessKeyId: newAccessKeyId("AKIA"), secretAccessKey: newSecretAccessKey() };

  constructor(private readonly options: UnkaiCredentialsOptions) {}

  /** Whether any key exists besides the default (a non-loopback Unkai refuses to start without one). */
  async hasConfiguredKeys(): Promise<boolean> {
    return this.options.configured !== undefined || (await this.options.keys.count()) > 0;
  }

  /**
   * Signs with the cluster's key from now on: `agree` gets this node's own key as a candidate and
   * returns the one every node uses (the first stored), so any node verifies another's URLs.
   */
  async shareOwnKey(agree: (candidate: SigningKey) => Promise<SigningKey>): Promise<void> {
    this.own = await agree(this.own);
  }

  async find(accessKeyId: string): Promise<SigningSecret | undefined> {
    const session = this.sessions.get(accessKeyId);
    if (session) return session;
    const roleSession = this.roleSessions.get(accessKeyId);
    if (roleSession && roleSession.expiresAtMs > Date.now()) return roleSession;
    if (roleSession) this.roleSessions.delete(accessKeyId);
    else if (accessKeyId.startsWith("ASIA")) {
      const stored = await this.storedRoleSession(accessKeyId);
      if (stored) return stored;
    }
    if (accessKeyId === this.own.accessKeyId) return { secretAccessKey: this.own.secretAccessKey, principal: { kind: "unkai" } };
    const { configured, keys, loopback } = this.options;
    if (configured && accessKeyId === configured.accessKeyId) return { secretAccessKey: configured.secretAccessKey, principal: { kind: "key", name: "UNKAI_ACCESS_KEY_ID" } };
    // The default key first (the usual local case): one store call instead of a lookup that cannot
    // match (stored ids are AKIA… ids Unkai made) followed by the count.
    if (accessKeyId === DEFAULT_KEY.accessKeyId && loopback && !(await this.hasConfiguredKeys())) {
      return { secretAccessKey: DEFAULT_KEY.secretAccessKey, principal: { kind: "key", name: "default" } };
    }
    const stored = await keys.get(accessKeyId);
    // An Inactive key (IAM UpdateAccessKey) is refused as an unknown one: each service's own invalid-token error.
    if (stored?.status === "Inactive") return undefined;
    if (stored?.userName !== undefined) return { secretAccessKey: stored.secretAccessKey, principal: { kind: "user", userName: stored.userName } };
    if (stored) return { secretAccessKey: stored.secretAccessKey, principal: { kind: "key", name: stored.name } };
    return undefined;
  }

  issue(functionName: string, environmentId: string): SessionCredentials {
    const credentials = { accessKeyId: newAccessKeyId("ASIA"), secretAccessKey: newSecretAccessKey(), sessionToken: newSessionToken() };
    this.sessions.set(credentials.accessKeyId, {
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      principal: { kind: "function", functionName, environmentId },
      environmentId,
    });
    this.byEnvironment.set(environmentId, credentials.accessKeyId);
    return credentials;
  }

  /** Credentials for an AssumeRole session that act as `principal` until `expiresAtMs`, stored before they are handed out. */
  async issueRoleSession(principal: RoleSessionPrincipal, expiresAtMs: number): Promise<RoleSessionCredentials> {
    const credentials = { accessKeyId: newAccessKeyId("ASIA"), secretAccessKey: newSecretAccessKey(), sessionToken: newSessionToken() };
    await this.options.stsSessions?.put({ ...credentials, principal: JSON.stringify(principal), expiresAt: expiresAtMs });
    this.remember(credentials.accessKeyId, { secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken, principal, expiresAtMs });
    return { ...credentials, expiresAtMs };
  }

  /** Keeps a session in memory, dropping the expired ones. */
  private remember(accessKeyId: string, session: SigningSecret & { readonly expiresAtMs: number }): void {
    for (const [id, old] of this.roleSessions) if (old.expiresAtMs <= Date.now()) this.roleSessions.delete(id);
    this.roleSessions.set(accessKeyId, session);
  }

  /** A live session another node issued, or this one before a restart. */
  private async storedRoleSession(accessKeyId: string): Promise<SigningSecret | undefined> {
    const stored = await this.options.stsSessions?.get(accessKeyId, Date.now());
    if (!stored) return undefined;
    const session = { secretAccessKey: stored.secretAccessKey, sessionToken: stored.sessionToken, principal: JSON.parse(stored.principal) as RoleSessionPrincipal, expiresAtMs: stored.expiresAt };
    this.remember(accessKeyId, session);
    return session;
  }

  /**
   * Records an IAM user's key's last use (GetAccessKeyLastUsed) at most once a minute per key and node,
   * so a busy key costs one store write a minute, not one per request. Advisory: a failed write is dropped.
   */
  used(caller: Caller): void {
    const { accessKeyId, principal } = caller;
    if (principal.kind !== "user" || accessKeyId === undefined) return;
    const now = Date.now();
    const last = this.lastRecordedMs.get(accessKeyId);
    if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
    this.lastRecordedMs.set(accessKeyId, now);
    this.options.keys.recordUse(accessKeyId, { atMs: now, service: caller.service ?? "", region: caller.region }).catch(() => undefined);
  }

  revoke(environmentId: string): void {
    const accessKeyId = this.byEnvironment.get(environmentId);
    if (accessKeyId === undefined) return;
    this.byEnvironment.delete(environmentId);
    this.sessions.delete(accessKeyId);
  }

  /** A URL to one of Unkai's own GET endpoints, presigned with Unkai's key. */
  async presignUrl(baseUrl: string, path: string, region: string): Promise<string> {
    const url = new URL(path, baseUrl);
    const signer = new SignatureV4({ credentials: this.own, region, service: "lambda", sha256: Hash.bind(null, "sha256") });
    const signed = await signer.presign(
      { method: "GET", protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path: url.pathname, query: {}, headers: { host: url.host } },
      { expiresIn: CODE_URL_SECONDS },
    );
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(signed.query ?? {})) if (typeof value === "string") query.set(key, value);
    return `${url.origin}${url.pathname}?${query.toString()}`;
  }
}

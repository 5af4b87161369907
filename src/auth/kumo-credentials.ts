/**
 * Every access key Kumo accepts, in one lookup for the SigV4 verifier: keys from `kumo keys`
 * (SQLite, read per request so a key created or deleted from the CLI counts at once), a key from
 * KUMO_ACCESS_KEY_ID, the loopback default, execution environments' session credentials (in
 * memory, revoked when the environment ends) and Kumo's own key for URLs it presigns.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SessionCredentials, CredentialIssuer } from "../engine/environment-variables.js";
import type { CredentialLookup, SigningSecret } from "../protocol/sigv4-verify.js";
import type { AccessKeyStore } from "../store/ports.js";
import { DEFAULT_KEY, newAccessKeyId, newSecretAccessKey, newSessionToken } from "./access-keys.js";

export interface KumoCredentialsOptions {
  readonly keys: AccessKeyStore;
  /** A key pair given by environment (KUMO_ACCESS_KEY_ID / KUMO_SECRET_ACCESS_KEY). */
  readonly configured: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** Kumo listens on a loopback address: the default key works while no key is configured. */
  readonly loopback: boolean;
}

interface Session extends SigningSecret {
  readonly environmentId: string;
}

/** How long Kumo's presigned code URLs stay valid (AWS's GetFunction URLs: 10 minutes). */
export const CODE_URL_SECONDS = 600;

export class KumoCredentials implements CredentialLookup, CredentialIssuer {
  private readonly sessions = new Map<string, Session>();
  private readonly byEnvironment = new Map<string, string>();
  /** Kumo's own key: never leaves the process, so only URLs this Kumo presigned carry it. */
  private readonly own = { accessKeyId: newAccessKeyId("AKIA"), secretAccessKey: newSecretAccessKey() };

  constructor(private readonly options: KumoCredentialsOptions) {}

  /** Whether any key exists besides the default (a non-loopback Kumo refuses to start without one). */
  hasConfiguredKeys(): boolean {
    return this.options.configured !== undefined || this.options.keys.count() > 0;
  }

  find(accessKeyId: string): SigningSecret | undefined {
    const session = this.sessions.get(accessKeyId);
    if (session) return session;
    if (accessKeyId === this.own.accessKeyId) return { secretAccessKey: this.own.secretAccessKey, principal: { kind: "kumo" } };
    const { configured, keys, loopback } = this.options;
    if (configured && accessKeyId === configured.accessKeyId) return { secretAccessKey: configured.secretAccessKey, principal: { kind: "key", name: "KUMO_ACCESS_KEY_ID" } };
    const stored = keys.get(accessKeyId);
    if (stored) return { secretAccessKey: stored.secretAccessKey, principal: { kind: "key", name: stored.name } };
    if (accessKeyId === DEFAULT_KEY.accessKeyId && loopback && !this.hasConfiguredKeys()) {
      return { secretAccessKey: DEFAULT_KEY.secretAccessKey, principal: { kind: "key", name: "default" } };
    }
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

  revoke(environmentId: string): void {
    const accessKeyId = this.byEnvironment.get(environmentId);
    if (accessKeyId === undefined) return;
    this.byEnvironment.delete(environmentId);
    this.sessions.delete(accessKeyId);
  }

  /** A URL to one of Kumo's own GET endpoints, presigned with Kumo's key. */
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

/**
 * Which requests Unkai answers at all, decided from the request line and headers before any
 * signature or body: the Host must be one of Unkai's own names (against DNS rebinding), and a
 * browser's Origin must be Unkai's own console or one the operator allowed (against cross-site
 * requests signed with the well-known default key). docs/auth.md explains both.
 */
import { isIP } from "node:net";

export interface FrontDoorOptions {
  /** The address Unkai listens on (`--host`). */
  readonly listenHost: string;
  /** More names Unkai answers for (`--public-host`); `*.example.com` also matches its subdomains. */
  readonly publicHosts: readonly string[];
  /** Origins whose pages may call Unkai (`--allow-origin`); `*` allows every origin. */
  readonly allowOrigins: readonly string[];
}

export type Refusal = { readonly reason: "foreign-host" | "foreign-origin"; readonly message: string };

export class FrontDoor {
  private readonly exactHosts: ReadonlySet<string>;
  private readonly hostSuffixes: readonly string[];
  private readonly allowOrigins: ReadonlySet<string>;
  private readonly anyOrigin: boolean;

  constructor(options: FrontDoorOptions) {
    const names = [options.listenHost, ...options.publicHosts].map((name) => bare(name));
    this.exactHosts = new Set(["localhost", ...names.filter((name) => !name.startsWith("*."))]);
    this.hostSuffixes = [".localhost", ...names.filter((name) => name.startsWith("*.")).map((name) => name.slice(1))];
    this.allowOrigins = new Set(options.allowOrigins.filter((origin) => origin !== "*").map((origin) => origin.toLowerCase().replace(/\/$/, "")));
    this.anyOrigin = options.allowOrigins.includes("*");
  }

  /** Whether `host` (a Host header's name, port or not) is one Unkai answers for. */
  ownsHost(host: string): boolean {
    const name = bare(host);
    // An IP literal cannot be rebound: a page can only send it to the address it names.
    if (isIP(name) !== 0) return true;
    return this.exactHosts.has(name) || this.hostSuffixes.some((suffix) => name.endsWith(suffix) && name.length > suffix.length);
  }

  /**
   * The refusal for a request Unkai must not answer, or undefined. `corsAllows` is the user's own
   * CORS rule for the addressed resource (a Function URL's, an HTTP API's), when it has one.
   */
  check(host: string | undefined, origin: string | undefined, corsAllows: (origin: string) => boolean): Refusal | undefined {
    if (host === undefined || host === "") return { reason: "foreign-host", message: "Unkai answers only requests that name it in a Host header." };
    if (!this.ownsHost(host)) {
      return { reason: "foreign-host", message: `Unkai does not answer for the host '${host.slice(0, 100)}'. Start it with --public-host ${bare(host).slice(0, 100)} to serve that name.` };
    }
    if (origin === undefined || this.originAllowed(origin, host) || corsAllows(origin)) return undefined;
    return {
      reason: "foreign-origin",
      message: `Requests from pages of ${origin.slice(0, 100)} are refused: only Unkai's own console may call it from a browser. Start Unkai with --allow-origin ${origin.slice(0, 100)} to allow that site.`,
    };
  }

  /**
   * Unkai's own pages (the console, from whichever of Unkai's names it was loaded) and the operator's
   * list. Pages served from `*.localhost` service names (an API's, a bucket's) are the users' content,
   * not Unkai's: they are not its console (their own resource's CORS rule decides for them).
   */
  private originAllowed(origin: string, host: string): boolean {
    const lower = origin.toLowerCase();
    const sameOrigin = lower === `http://${host.toLowerCase()}` || lower === `https://${host.toLowerCase()}`;
    if (sameOrigin && !bare(host).endsWith(".localhost")) return true;
    return this.anyOrigin || this.allowOrigins.has(lower);
  }
}

/** A host name without port or IPv6 brackets, lower-cased. */
function bare(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith("[")) return lower.slice(1, lower.indexOf("]") < 0 ? undefined : lower.indexOf("]"));
  const colon = lower.indexOf(":");
  // More than one colon: an IPv6 address given without brackets (as --host takes it).
  return colon >= 0 && lower.indexOf(":", colon + 1) < 0 ? lower.slice(0, colon) : lower;
}

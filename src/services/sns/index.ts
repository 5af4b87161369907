/**
 * Amazon SNS on the awsQuery protocol, built on SNS's published model: topics (standard and FIFO),
 * subscriptions to SQS queues, Lambda functions and http/https endpoints, Publish(Batch) with filter
 * policies, and signed messages whose certificate Unkai serves at SigningCertURL. Topics are also a
 * `platform.destinations` target, so other services publish to them by ARN.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import type { Account } from "../../core/arn.js";
import type { SnsPendingHttpDelivery, SnsSubscriptionRecord, SnsTopicRecord } from "../../core/sns.js";
import type { ServiceMetrics } from "../../core/service-metrics.js";
import type { Destinations } from "../../async/destinations.js";
import { loadModel } from "../../protocol/codecs/model.js";
import { modelService, type OperationContext, type Operations } from "../../protocol/codecs/model-service.js";
import type { Service, UnkaiRequest } from "../../protocol/http.js";
import type { DocumentStore, ScheduleTimerStore, SnsDeduplicationStore } from "../../store/ports.js";
import type { Platform, ServiceModule } from "../module.js";
import { snsAuthorization } from "./authorization.js";
import { signingIdentity, type SharedSecret } from "./certificate.js";
import { invalid, type Caller, type SnsContext } from "./context.js";
import { snsDestination } from "./destination.js";
import { SNS_ERRORS } from "./errors.js";
import { Fanout } from "./fanout.js";
import { HttpDelivery } from "./http-delivery.js";
import { Mailbox } from "../../store/mailbox.js";
import { snsOperations } from "./operations.js";
import { Publisher } from "./publish-ops.js";

export interface SnsDeps {
  readonly topics: DocumentStore<SnsTopicRecord>;
  readonly subscriptions: DocumentStore<SnsSubscriptionRecord>;
  readonly httpDeliveries: DocumentStore<SnsPendingHttpDelivery>;
  readonly deduplication: SnsDeduplicationStore;
  readonly timers: ScheduleTimerStore;
  /** This node's name in leases (http retries). */
  readonly nodeName: string;
  /** Lets the http retries whose node died be taken at once (the platform's dead-lease sweep). */
  readonly onDeadLeasesFreed: (listener: () => void) => void;
  readonly account: Account;
  /** Unkai's own URL, for deliveries no request started (another service's message) and a request without a Host header. */
  readonly url: () => string;
  readonly dataDir: string;
  /** A cluster's shared store of SNS's signing identity (every node signs with one key); undefined on one node. */
  readonly sharedSecret: SharedSecret | undefined;
  readonly destinations: Destinations;
  /** AWS/SNS's per-topic metrics go here (Platform.serviceMetrics). */
  readonly metrics?: ServiceMetrics;
  /** How long an http/https attempt waits for its answer (Platform.snsHttpTimeoutMs; SNS: 15 s). */
  readonly httpTimeoutMs?: number;
  readonly logger: Logger;
}

const CERTIFICATE_PATH = /^\/_aws\/sns\/(SimpleNotificationService-[0-9a-f]{32}\.pem)$/;

function callerOf(request: UnkaiRequest, url: () => string): Caller {
  const base = url();
  const scheme = base.startsWith("https:") ? "https" : "http";
  const host = request.headers.host;
  return { baseUrl: host ? `${scheme}://${host}` : base };
}

/**
 * Served without a signature, as on AWS: the certificate, and the links SNS puts in messages (a
 * SubscribeURL carries its secret token; an UnsubscribeURL names one subscription).
 */
function isPublic(request: UnkaiRequest): boolean {
  if (request.method !== "GET") return false;
  if (CERTIFICATE_PATH.test(request.path)) return true;
  const action = request.query.get("Action");
  return (action === "ConfirmSubscription" && request.query.has("Token")) || (action === "Unsubscribe" && request.query.has("SubscriptionArn"));
}

/** SNS's links carry no Version (SNS takes them without one); the codec needs it. */
function withVersion(request: UnkaiRequest): UnkaiRequest {
  const query = new URLSearchParams(request.query);
  query.set("Version", "2010-03-31");
  return { ...request, query };
}

export function snsService(deps: SnsDeps): Service {
  const context: SnsContext = { topics: deps.topics, subscriptions: deps.subscriptions, account: deps.account, now: Date.now, metrics: deps.metrics };
  const identity = signingIdentity(deps.dataDir, Date.now(), deps.sharedSecret);
  const http = new HttpDelivery(deps.httpDeliveries, deps.timers, deps.destinations, { owner: deps.nodeName, now: Date.now, metrics: deps.metrics, attemptTimeoutMs: deps.httpTimeoutMs }, deps.logger);
  deps.onDeadLeasesFreed(() => http.runner.wake());
  const fanout = new Fanout(context, deps.destinations, identity, http, new Mailbox(join(deps.dataDir, "mail")), deps.logger);
  const publisher = new Publisher(context, deps.deduplication, fanout);
  deps.destinations.add(snsDestination(deps.account, context.topics, publisher, deps.url));
  const onPending = (subscription: SnsSubscriptionRecord, caller: Caller) => {
    void context.topics.get(subscription.topicArn).then((topic) => fanout.confirm(subscription, topic, caller.baseUrl))
      .catch((error: unknown) => deps.logger.error({ err: error, subscription: subscription.arn }, "an SNS SubscriptionConfirmation could not be sent"));
  };
  const operations: Operations = Object.fromEntries(
    Object.entries(snsOperations(context, onPending, publisher)).map(([name, run]) => [name, (input: Readonly<Record<string, unknown>>, ctx: OperationContext) => run(input, callerOf(ctx.request, deps.url))]),
  );
  const service = modelService({
    name: "sns", model: loadModel("sns"), errors: SNS_ERRORS, operations, signingNames: ["sns"], logger: deps.logger,
    // SNS answers a missing or malformed parameter with InvalidParameter naming it.
    validationError: (violations) => invalid(violations[0]?.member ?? "request"),
    // SNS's word for an IAM denial (AccessDenied stays in its table for the other refusals).
    notAuthorizedCode: "AuthorizationError",
    authorization: snsAuthorization(deps.account, Object.keys(operations)),
  });
  return {
    ...service,
    matches: (request) => CERTIFICATE_PATH.test(request.path) || service.matches(request),
    public: isPublic,
    async handle(request) {
      const certificate = CERTIFICATE_PATH.exec(request.path);
      if (certificate) {
        const current = await identity();
        if (request.method !== "GET" || certificate[1] !== current.fileName) return { status: 404, headers: { "Content-Type": "text/plain" }, body: "Not Found" };
        return { status: 200, headers: { "Content-Type": "application/x-pem-file" }, body: current.certificatePem };
      }
      return service.handle(isPublic(request) && !request.query.has("Version") ? withVersion(request) : request);
    },
    start() {
      http.start();
    },
    close: () => http.close(),
  };
}

/** The store's shared secret of the signing identity, when the store is a cluster's. */
function sharedSecretOf(p: Platform): SharedSecret | undefined {
  const cluster = p.store.cluster;
  return cluster ? (candidate) => cluster.sharedSecret("sns-signing", candidate, Date.now()) : undefined;
}

export const snsModule: ServiceModule = {
  name: "sns",
  errors: { kind: "xml", table: SNS_ERRORS, heading: "## SNS errors" },
  compatibility: "docs/compatibility/sns.md",
  create: (p) => snsService({
    topics: p.store.snsTopics, subscriptions: p.store.snsSubscriptions, httpDeliveries: p.store.snsHttpDeliveries, deduplication: p.store.snsDeduplication,
    timers: p.store.scheduleTimers, nodeName: p.nodeName, onDeadLeasesFreed: (listener) => p.onDeadLeasesFreed(listener), account: p.account, url: () => p.url(), dataDir: p.dataDir,
    sharedSecret: sharedSecretOf(p),
    destinations: p.destinations, metrics: p.serviceMetrics, logger: p.logger("sns"), httpTimeoutMs: p.snsHttpTimeoutMs,
  }),
};

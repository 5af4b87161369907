/**
 * EventBridge (CloudWatch Events; awsJson1.1, `AWSEvents.*`): event buses, rules and targets,
 * PutEvents and TestEventPattern on the shared pattern engine, connections and API destinations, scheduled rules on the schedule runner,
 * archives (archiving.ts) and replays (replay-runner.ts).
 * docs/compatibility/events.md says what is answered and delivered.
 */
import { loadModel } from "../../protocol/codecs/model.js";
import { modelService, type Operations } from "../../protocol/codecs/model-service.js";
import type { Service } from "../../protocol/http.js";
import type { ServiceModule } from "../module.js";
import { busOperations } from "./buses.js";
import { EventDelivery, busOfArn } from "./delivery.js";
import { EVENTS_ERRORS } from "./errors.js";
import { names as namesOf } from "./names.js";
import { DeliveryOutbox, EVENTBRIDGE_OUTBOX } from "../../async/delivery-outbox.js";
import { ruleOperations } from "./rules.js";
import { RuleSchedules } from "./schedules.js";
import { tagOperations } from "./tags.js";
import type { Platform } from "../module.js";
import { eventsAuthorization } from "./authorization.js";
import { busDestination } from "./destination.js";
import { apiDestinationOperations } from "./api-destinations.js";
import { apiDestinationTarget } from "./api-destination-target.js";
import { connectionOperations } from "./connections.js";
import { archiveOperations } from "./archives.js";
import { EventArchiver } from "./archiving.js";
import { ReplayRunner } from "./replay-runner.js";
import { replayOperations } from "./replays.js";
import { RetentionSweeper } from "../../store/retention-sweeper.js";

export function eventsService(platform: Platform): Service {
  const logger = platform.logger("events");
  const now = Date.now;
  const names = namesOf(platform.account);
  const { eventBuses: buses, eventRules: rules, scheduleTimers, eventConnections: connections, eventApiDestinations: apiDestinations } = platform.store;
  const { eventArchives: archives, eventReplays: replays, archivedEvents } = platform.store;
  const outbox = new DeliveryOutbox(platform.store.eventDeliveries, platform.destinations, platform.retryTiming, now, logger, EVENTBRIDGE_OUTBOX);
  const archiver = new EventArchiver(archives, archivedEvents, names, now);
  const delivery = new EventDelivery(rules, platform.destinations, outbox, logger, (bus, event) => archiver.keep(bus, event));
  const cluster = platform.store.cluster;
  const runner = new ReplayRunner({ replays, archivedEvents, delivery, names, owner: platform.nodeName, ...(cluster ? { cluster } : {}), now, logger });
  const failInterrupted = () => runner.failInterrupted().catch((error: unknown) => logger.error({ err: error }, "EventBridge: marking interrupted replays failed"));
  const retention = new RetentionSweeper([archiver.retentionJob()], { intervalMs: 60_000 }, logger);
  const schedules = new RuleSchedules(rules, scheduleTimers, delivery, platform.account, { owner: platform.nodeName, now, ...platform.scheduler }, logger);
  platform.onDeadLeasesFreed(() => {
    schedules.runner.wake();
    void failInterrupted();
  });
  platform.destinations.add(busDestination({ buses, delivery, account: platform.account, now }));
  platform.destinations.add(apiDestinationTarget({ connections, apiDestinations }));
  const startedAt = now();
  const operations: Operations = {
    ...busOperations({ buses, rules, names, account: platform.account, delivery, now, startedAt }),
    ...connectionOperations({ connections, account: platform.account, now }),
    ...archiveOperations({ archives, archivedEvents, buses, names, now }),
    ...replayOperations({ replays, archives, rules, names, runner, owner: platform.nodeName, now }),
    ...apiDestinationOperations({ connections, apiDestinations, account: platform.account, now }),
    ...tagOperations({ rules, buses, names, startedAt }),
    ...ruleOperations({
      rules, buses, names, accountId: platform.account.accountId, now, scheduleChanged: (rule, key) => schedules.changed(rule, key),
      canDeliver: (arn) => busOfArn(arn) !== undefined || platform.destinations.canSend(arn),
    }),
  };
  const model = loadModel("events");
  const service = modelService({
    name: "events", model, errors: EVENTS_ERRORS, operations, signingNames: ["events"], logger, authorization: eventsAuthorization(model, platform.account),
  });
  return {
    ...service,
    start: () => {
      schedules.runner.start();
      outbox.start();
      retention.start();
      void failInterrupted();
    },
    close: async () => {
      await runner.close();
      await schedules.runner.close();
      await outbox.close();
      await retention.close();
    },
  };
}

export const eventsModule: ServiceModule = {
  name: "events",
  errors: { kind: "json", table: EVENTS_ERRORS, heading: "## EventBridge errors" },
  compatibility: "docs/compatibility/events.md",
  create: (p) => eventsService(p),
};

/**
 * EventBridge Scheduler (restJson1, signing name `scheduler`): schedules and schedule groups from the
 * service model's routes, fired by a leased ScheduleRunner (timers.ts) and delivered through the
 * destinations seam with the shared retry outbox. docs/compatibility/scheduler.md says what is answered.
 */
import type { Logger } from "pino";
import { DeliveryOutbox } from "../../async/delivery-outbox.js";
import { UnkaiError } from "../../core/errors.js";
import type { ActionRequest } from "../../core/iam-policy/index.js";
import type { AuthorizationTable } from "../../protocol/codecs/derived-authorization.js";
import { InvalidInput, MalformedInput } from "../../protocol/codecs/input-errors.js";
import { loadModel, type ServiceModel } from "../../protocol/codecs/model.js";
import { decodeRestJsonInput, matchRoute, restJsonOutput, restRoutes, type RestRoute } from "../../protocol/codecs/rest-json.js";
import { validate } from "../../protocol/codecs/validate.js";
import { asUnkaiError, restJsonError } from "../../protocol/errors.js";
import type { Service, UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { Platform, ServiceModule } from "../module.js";
import { schedulerArns, schedulerAuthorization } from "./authorization.js";
import type { SchedulerContext } from "./context.js";
import { SCHEDULER_ERRORS } from "./errors.js";
import { groupOperations } from "./groups.js";
import { scheduleOperations } from "./schedules.js";
import { SchedulerTimers } from "./timers.js";

type Operation = (input: never) => Promise<object>;

/** Paths only Scheduler serves: an unsigned request to them is refused in Scheduler's words. */
const OWN_PATHS = /^\/(schedules|schedule-groups)(\/|$)/;

function dispatcher(model: ServiceModel, operations: Readonly<Record<string, Operation>>, authorization: AuthorizationTable, logger: Logger) {
  const routes: RestRoute[] = restRoutes(model).filter((route) => operations[route.operation.name] !== undefined);
  const decode = (request: UnkaiRequest) => {
    const match = matchRoute(routes, request);
    if (!match.route) {
      throw new UnkaiError("UnknownOperationException", match.pathMatched ? `Method ${request.method} is not allowed on ${request.path}.` : `No Scheduler operation matches ${request.method} ${request.path}.`);
    }
    return { operation: match.route.operation, input: (() => {
      try {
        return decodeRestJsonInput(model, match, request);
      } catch (error) {
        if (error instanceof MalformedInput) throw new UnkaiError("SerializationException", error.message);
        throw error;
      }
    })() };
  };
  return {
    handle: async (request: UnkaiRequest): Promise<UnkaiResponse> => {
      try {
        const { operation, input } = decode(request);
        const violations = validate(model, operation.input, input);
        if (violations.length > 0) throw new UnkaiError("ValidationException", new InvalidInput(violations).message);
        const implementation = operations[operation.name] as (input: Record<string, unknown>) => Promise<object>;
        return restJsonOutput(model, operation, await implementation(input));
      } catch (error) {
        if (!(error instanceof UnkaiError)) logger.error({ err: error, path: request.path }, "internal error in the Scheduler API");
        return restJsonError(asUnkaiError(error), SCHEDULER_ERRORS);
      }
    },
    /** The permissions a request needs; none when it names no operation (handle refuses it). */
    authorize: (request: UnkaiRequest): readonly ActionRequest[] => {
      const match = matchRoute(routes, request);
      if (!match.route) return [];
      let input: Record<string, unknown>;
      try {
        input = decodeRestJsonInput(model, match, request);
      } catch {
        input = { ...match.labels }; // malformed body: name what the path names; handle refuses the body
      }
      return authorization[match.route.operation.name]?.(input) ?? [];
    },
  };
}

export function schedulerService(platform: Platform): Service {
  const logger = platform.logger("scheduler");
  const now = Date.now;
  const { schedulerSchedules: schedules, schedulerGroups: groups, scheduleTimers } = platform.store;
  const outbox = new DeliveryOutbox(platform.store.schedulerDeliveries, platform.destinations, platform.retryTiming, now, logger, { service: "Scheduler", sourceAttribute: "SCHEDULE_ARN", missingTargetNotRetried: false });
  const timers = new SchedulerTimers(schedules, scheduleTimers, platform.destinations, outbox, {
    owner: platform.nodeName, now, rateScale: platform.scheduler.rateScale, missedAfterMs: platform.scheduler.missedAfterMs,
  }, logger);
  platform.onDeadLeasesFreed(() => timers.runner.wake());
  const ctx: SchedulerContext = {
    schedules, groups, arns: schedulerArns(platform.account), now, startedAt: now(),
    canSend: (arn) => platform.destinations.canSend(arn),
    changed: (key, schedule) => timers.changed(key, schedule),
  };
  const model = loadModel("scheduler");
  const operations = { ...scheduleOperations(ctx), ...groupOperations(ctx) } as unknown as Record<string, Operation>;
  const { handle, authorize } = dispatcher(model, operations, schedulerAuthorization(model, platform.account), logger);
  return {
    name: "scheduler",
    signingNames: ["scheduler"],
    matches: (request) => request.caller.service === "scheduler" || OWN_PATHS.test(request.path),
    authorize,
    handle,
    start: () => {
      timers.runner.start();
      outbox.start();
    },
    close: async () => {
      await timers.runner.close();
      await outbox.close();
    },
  };
}

export const schedulerModule: ServiceModule = {
  name: "scheduler",
  errors: { kind: "json", table: SCHEDULER_ERRORS, heading: "## EventBridge Scheduler errors" },
  compatibility: "docs/compatibility/scheduler.md",
  create: (p) => schedulerService(p),
};

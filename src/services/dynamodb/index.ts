/**
 * Amazon DynamoDB on AWS JSON 1.0 (`X-Amz-Target: DynamoDB_20120810.<Operation>`), built on
 * DynamoDB's service model (models/dynamodb.json): the codec decodes and validates each request,
 * the operations (operations.ts) apply DynamoDB's own rules over the store's DynamoDbStore, and
 * a background sweep deletes items past their Time to Live.
 */
import type { Logger } from "pino";
import type { Account } from "../../core/arn.js";
import { loadModel } from "../../protocol/codecs/model.js";
import { modelService, type OperationContext, type Operations } from "../../protocol/codecs/model-service.js";
import type { Service } from "../../protocol/http.js";
import type { DynamoDbStore } from "../../store/ports.js";
import type { Platform, ServiceModule } from "../module.js";
import type { DynamoContext } from "./context.js";
import { DYNAMODB_ERRORS } from "./errors.js";
import { dynamoOperations } from "./operations.js";
import { expireItems } from "./ttl.js";
import { dynamodbAuthorization } from "./authorization.js";

/** How often expired items are looked for (AWS takes up to days; a sweep walks each TTL-enabled table). */
const TTL_SWEEP_MS = 10_000;

export interface DynamoDbDeps {
  readonly store: DynamoDbStore;
  readonly account: Account;
  readonly logger: Logger;
  readonly now?: () => number;
}

export function dynamoDbService(deps: DynamoDbDeps): Service {
  const ctx: DynamoContext = { store: deps.store, account: deps.account, now: deps.now ?? Date.now };
  const operations: Operations = {
    ...dynamoOperations(ctx),
    // The endpoint the client reached is the one to keep using.
    DescribeEndpoints: (_input: object, request: OperationContext) =>
      Promise.resolve({ Endpoints: [{ Address: request.request.headers.host ?? "localhost", CachePeriodInMinutes: 1440 }] }),
  };
  const model = loadModel("dynamodb");
  const service = modelService({
    name: "dynamodb", model, errors: DYNAMODB_ERRORS, operations, signingNames: ["dynamodb"], logger: deps.logger, authorization: dynamodbAuthorization(model, deps.account),
  });
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();
  return {
    ...service,
    start() {
      timer = setInterval(() => {
        sweeping = expireItems(ctx).catch((error: unknown) => deps.logger.error({ err: error }, "the DynamoDB TTL sweep failed"));
      }, TTL_SWEEP_MS);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await sweeping;
    },
  };
}

export const dynamodbModule: ServiceModule = {
  name: "dynamodb",
  errors: { kind: "json", table: DYNAMODB_ERRORS, heading: "## DynamoDB errors" },
  compatibility: "docs/compatibility/dynamodb.md",
  create: (p: Platform) => dynamoDbService({ store: p.store.dynamodb, account: p.account, logger: p.logger("dynamodb") }),
};

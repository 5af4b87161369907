/**
 * Every error table, keyed by service: the same code may carry different statuses in different
 * services. Each service owns its table (its own errors.ts); this only composes them, for
 * docs/errors.md's test and for anyone asking "what does service S answer for code C".
 */
import { COMMON_ERRORS, type ErrorTable, type ServiceErrorTables } from "../core/errors.js";
import { API_GATEWAY_ERRORS } from "./apigateway/errors.js";
import { LAMBDA_ERRORS } from "./lambda/errors.js";
import { LOGS_ERRORS } from "./logs/errors.js";
import { S3_ERRORS } from "./s3/errors.js";

/** The JSON services' tables (a missing entry is a type error once the service declares its table). */
export const JSON_ERROR_TABLES: ServiceErrorTables = {
  common: COMMON_ERRORS,
  lambda: LAMBDA_ERRORS,
  logs: LOGS_ERRORS,
  apigateway: API_GATEWAY_ERRORS,
};

/** Service → code → HTTP status, for every service (S3 answers in XML from its own status-only table). */
export const ERROR_CATALOGUE: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  ...Object.fromEntries((Object.keys(JSON_ERROR_TABLES) as (keyof ServiceErrorTables)[]).map((service) => [service, statusesOf(JSON_ERROR_TABLES[service])])),
  // Unkai's own endpoints under /_unkai/ answer with Lambda's table.
  unkai: statusesOf(LAMBDA_ERRORS),
  s3: S3_ERRORS,
};

function statusesOf(table: ErrorTable): Record<string, number> {
  return Object.fromEntries(Object.entries(table).map(([code, spec]) => [code, spec.status]));
}

/** The status `service` answers `code` with, or undefined when that service never answers it. */
export function errorStatus(service: string, code: string): number | undefined {
  return ERROR_CATALOGUE[service]?.[code];
}

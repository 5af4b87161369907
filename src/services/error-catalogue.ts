/**
 * Every error table, keyed by service: the same code may carry different statuses in different
 * services. Each service owns its table (its own errors.ts) and names it in its module; this composes
 * them from the registry, for docs/errors.md's test and for anyone asking "what does service S answer
 * for code C".
 */
import { COMMON_ERRORS, type ErrorTable } from "../core/errors.js";
import type { StatusTable } from "./module.js";
import { SERVICE_MODULES } from "./registry.js";

/** Service → code → HTTP status, for every module with an error table (XML services keep status-only tables). */
export const ERROR_CATALOGUE: Readonly<Record<string, StatusTable>> = {
  common: statusesOf(COMMON_ERRORS),
  ...Object.fromEntries(
    SERVICE_MODULES.flatMap((m) => {
      if (m.errors.kind === "json") return [[m.name, statusesOf(m.errors.table)]];
      return m.errors.kind === "xml" ? [[m.name, m.errors.table]] : [];
    }),
  ),
};

function statusesOf(table: ErrorTable): Record<string, number> {
  return Object.fromEntries(Object.entries(table).map(([code, spec]) => [code, spec.status]));
}

/** The status `service` answers `code` with, or undefined when that service never answers it. */
export function errorStatus(service: string, code: string): number | undefined {
  return ERROR_CATALOGUE[service]?.[code];
}

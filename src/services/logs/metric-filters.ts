/** PutMetricFilter / DescribeMetricFilters / DeleteMetricFilter, checked as CloudWatch Logs checks them. */
import { UnkaiError } from "../../core/errors.js";
import type { FilterPattern } from "../../core/log-filter/index.js";
import type { Operations } from "../../protocol/codecs/model-service.js";
import type { MetricFilterStore, MetricTransformation } from "../../store/ports.js";
import { filterPattern } from "./filter.js";

/** CloudWatch Logs' quota of metric filters per log group. */
export const MAX_METRIC_FILTERS_PER_GROUP = 100;
const MAX_DIMENSIONS = 3;
const DEFAULT_DESCRIBE_LIMIT = 50;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

interface PutInput {
  readonly logGroupName: string;
  readonly filterName: string;
  readonly filterPattern: string;
  readonly metricTransformations: readonly MetricTransformation[];
}
interface DescribeInput {
  readonly logGroupName?: string;
  readonly filterNamePrefix?: string;
  readonly metricName?: string;
  readonly metricNamespace?: string;
  readonly nextToken?: string;
  readonly limit?: number;
}

const invalid = (message: string) => new UnkaiError("InvalidParameterException", message);

/** A transformation's value and dimensions must be numbers or fields this pattern extracts. */
function checkTransformation(t: MetricTransformation, pattern: FilterPattern): void {
  if (t.metricName === "" || t.metricNamespace === "") throw invalid("metricName and metricNamespace must not be empty.");
  const value = t.metricValue.trim();
  if (value.startsWith("$")) {
    if (!pattern.canExtract(value)) throw invalid(`Invalid metric value '${t.metricValue}': the filter pattern has no such field.`);
  } else if (!NUMBER.test(value)) {
    throw invalid(`Invalid metric value '${t.metricValue}': use a number or a field of the filter pattern ($.path or $name).`);
  }
  const dimensions = Object.entries(t.dimensions ?? {});
  if (dimensions.length === 0) return;
  if (pattern.kind === "terms" || pattern.kind === "all") throw invalid("The specified filter pattern does not support dimensions");
  if (dimensions.length > MAX_DIMENSIONS) throw invalid(`A metric transformation can have at most ${MAX_DIMENSIONS} dimensions.`);
  if (t.defaultValue !== undefined) throw invalid("A metric transformation with dimensions cannot have a default value.");
  for (const [name, source] of dimensions) {
    if (!source.startsWith("$") || !pattern.canExtract(source)) throw invalid(`Invalid dimension '${name}': '${source}' is not a field of the filter pattern.`);
  }
}

export function metricFilterOperations(filters: MetricFilterStore, requireGroup: (group: string | undefined) => Promise<string>, now: () => number): Operations {
  return {
    async PutMetricFilter(input: PutInput) {
      const pattern = filterPattern(input.filterPattern);
      for (const t of input.metricTransformations) checkTransformation(t, pattern);
      const group = await requireGroup(input.logGroupName);
      const existing = await filters.list({ logGroupName: group });
      if (!existing.some((f) => f.filterName === input.filterName) && existing.length >= MAX_METRIC_FILTERS_PER_GROUP) {
        throw new UnkaiError("LimitExceededException", "Resource limit exceeded.");
      }
      const metricTransformations = input.metricTransformations.map((t) => ({ ...t, metricValue: t.metricValue.trim() }));
      await filters.put({ logGroupName: group, filterName: input.filterName, filterPattern: input.filterPattern, metricTransformations, creationTime: now() });
    },
    async DescribeMetricFilters(input: DescribeInput) {
      if (input.filterNamePrefix !== undefined && input.logGroupName === undefined) throw invalid("If you specify filterNamePrefix, you must also specify logGroupName.");
      if ((input.metricName === undefined) !== (input.metricNamespace === undefined)) throw invalid("metricName and metricNamespace must be specified together.");
      if (input.logGroupName !== undefined) await requireGroup(input.logGroupName);
      const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
      if (!Number.isSafeInteger(start) || start < 0) throw invalid("The specified nextToken is invalid.");
      const all = await filters.list(input);
      const limit = input.limit ?? DEFAULT_DESCRIBE_LIMIT;
      const page = all.slice(start, start + limit);
      return { metricFilters: page, ...(start + limit < all.length ? { nextToken: String(start + limit) } : {}) };
    },
    async DeleteMetricFilter(input: { readonly logGroupName: string; readonly filterName: string }) {
      const group = await requireGroup(input.logGroupName);
      if (!(await filters.delete(group, input.filterName))) throw new UnkaiError("ResourceNotFoundException", "The specified resource does not exist.");
    },
  };
}

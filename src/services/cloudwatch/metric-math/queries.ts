/**
 * The expressions of one GetMetricData request: each query's value by its Id, expressions evaluated on
 * demand in dependency order (a cycle is an error), syntax and evaluation errors reported as CloudWatch's
 * ValidationError naming the expression's Id.
 */
import { UnkaiError } from "../../../core/errors.js";
import type { MetricDataQueryInput } from "../metric-reads.js";
import { evaluate, MathEvaluationError, type MathValue, type Series } from "./evaluate.js";
import { MathSyntaxError, parseMathExpression } from "./parse.js";

const failure = (id: string, detail: string) => new UnkaiError("ValidationError", `Error in expression ${id}: ${detail}.`);

export function evaluateQueries(queries: readonly MetricDataQueryInput[], metrics: ReadonlyMap<string, Series>, fromMs: number, toMs: number): Map<string, MathValue> {
  const byId = new Map(queries.map((q) => [q.Id, q]));
  const values = new Map<string, MathValue>();
  for (const [id, series] of metrics) values.set(id, { kind: "series", series });
  const visiting = new Set<string>();
  const resolve = (id: string, from: string): MathValue => {
    const known = values.get(id);
    if (known) return known;
    const query = byId.get(id);
    if (!query?.Expression) throw failure(from, `there is no query with the Id ${id}`);
    if (visiting.has(id)) throw failure(from, `the expressions refer to each other in a cycle through ${id}`);
    visiting.add(id);
    let tree;
    try {
      tree = parseMathExpression(query.Expression);
    } catch (error) {
      if (error instanceof MathSyntaxError) throw failure(id, error.message);
      throw error;
    }
    try {
      const value = evaluate(tree, {
        resolve: (ref) => resolve(ref, id),
        metrics: () => [...metrics].map(([mid, series]) => ({ id: mid, series })),
        fromMs, toMs, label: query.Label ?? id,
      });
      values.set(id, value);
      return value;
    } catch (error) {
      if (error instanceof MathEvaluationError) throw failure(id, error.message);
      throw error;
    } finally {
      visiting.delete(id);
    }
  };
  for (const q of queries) if (q.Expression !== undefined) resolve(q.Id, q.Id);
  return values;
}

/** A scalar result as CloudWatch draws it: the same value at every period of the range (from its rounded StartTime). */
export function scalarSeries(value: number, periodMs: number, fromMs: number, toMs: number, label: string): Series {
  const points = new Map<number, number>();
  if (Number.isFinite(value)) for (let t = fromMs; t < toMs && points.size < 100_800; t += periodMs) points.set(t, value);
  return { label, periodMs, points };
}

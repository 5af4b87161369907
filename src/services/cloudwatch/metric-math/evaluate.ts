/**
 * Evaluates a parsed metric math expression over the series of a GetMetricData request. Values are a
 * scalar, a time series (period start → value) or an array of series. Between two series an operator
 * applies where both have a value; a scalar applies to every point; an array applies each of its series.
 * SUM/AVG/MIN/MAX of one series is a scalar, of an array the series of per-timestamp results; FILL fills
 * the periods of the requested range that have no value (with a number, REPEAT or LINEAR); IF keeps, at
 * each timestamp of its condition, the second argument where the condition is non-zero and the third
 * (if given) where it is zero.
 */
import type { MathNode } from "./parse.js";

export interface Series {
  readonly label: string;
  readonly periodMs: number;
  /** Period start (ms) → value, in time order. */
  readonly points: ReadonlyMap<number, number>;
}

export type MathValue = { readonly kind: "scalar"; readonly value: number } | { readonly kind: "series"; readonly series: Series } | { readonly kind: "array"; readonly items: readonly Series[] };

export class MathEvaluationError extends Error {}

export interface MathContext {
  /** The value of another query of the request, by its Id (evaluated on demand). */
  resolve(id: string): MathValue;
  /** Every MetricStat query's series with its Id, for METRICS(). */
  metrics(): readonly { readonly id: string; readonly series: Series }[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly label: string;
}

const scalar = (value: number): MathValue => ({ kind: "scalar", value });
const seriesValue = (series: Series): MathValue => ({ kind: "series", series });
const sorted = (points: Map<number, number>): Map<number, number> => new Map([...points].filter(([, v]) => Number.isFinite(v)).sort((a, b) => a[0] - b[0]));
const mapPoints = (s: Series, f: (v: number, t: number) => number): Series => ({ ...s, points: sorted(new Map([...s.points].map(([t, v]) => [t, f(v, t)]))) });

function arithmetic(op: string, a: number, b: number): number {
  switch (op) {
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/": return a / b;
    case "^": return a ** b;
    case "<": return Number(a < b);
    case "<=": return Number(a <= b);
    case ">": return Number(a > b);
    case ">=": return Number(a >= b);
    case "==": return Number(a === b);
    case "!=": return Number(a !== b);
    case "AND": return Number(a !== 0 && b !== 0);
    case "OR": return Number(a !== 0 || b !== 0);
    default: throw new MathEvaluationError(`unknown operator ${op}`);
  }
}

function combine(op: string, left: MathValue, right: MathValue): MathValue {
  const f = (a: number, b: number) => arithmetic(op, a, b);
  if (left.kind === "scalar" && right.kind === "scalar") return scalar(f(left.value, right.value));
  if (left.kind === "array" && right.kind === "array") throw new MathEvaluationError(`the operator ${op} cannot take two arrays of time series`);
  if (left.kind === "array") return { kind: "array", items: left.items.map((s) => asSeries(combine(op, seriesValue(s), right))) };
  if (right.kind === "array") return { kind: "array", items: right.items.map((s) => asSeries(combine(op, left, seriesValue(s)))) };
  if (left.kind === "series" && right.kind === "scalar") return seriesValue(mapPoints(left.series, (v) => f(v, right.value)));
  if (left.kind === "scalar" && right.kind === "series") return seriesValue(mapPoints(right.series, (v) => f(left.value, v)));
  const [a, b] = [asSeries(left), asSeries(right)];
  const points = new Map<number, number>();
  for (const [t, v] of a.points) {
    const w = b.points.get(t);
    if (w !== undefined) points.set(t, f(v, w));
  }
  return seriesValue({ label: a.label, periodMs: Math.min(a.periodMs, b.periodMs), points: sorted(points) });
}

function asSeries(value: MathValue): Series {
  if (value.kind !== "series") throw new MathEvaluationError(`expected a time series, got ${value.kind === "scalar" ? "a number" : "an array of time series"}`);
  return value.series;
}

const reducers: Record<string, (values: number[]) => number> = {
  SUM: (v) => v.reduce((a, b) => a + b, 0),
  AVG: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  MIN: (v) => Math.min(...v),
  MAX: (v) => Math.max(...v),
};

function reduce(name: string, arg: MathValue): MathValue {
  const f = reducers[name] as (values: number[]) => number;
  if (arg.kind === "scalar") return arg;
  if (arg.kind === "series") return arg.series.points.size === 0 ? scalar(Number.NaN) : scalar(f([...arg.series.points.values()]));
  const byTime = new Map<number, number[]>();
  for (const s of arg.items) for (const [t, v] of s.points) byTime.set(t, [...(byTime.get(t) ?? []), v]);
  const periodMs = Math.min(...arg.items.map((s) => s.periodMs), 60_000);
  return seriesValue({ label: name, periodMs, points: sorted(new Map([...byTime].map(([t, v]) => [t, f(v)]))) });
}

/** The period starts of the requested range at the series' period (from the query's rounded StartTime, metric-reads.ts). */
function grid(s: Series, ctx: MathContext): number[] {
  const starts: number[] = [];
  for (let t = ctx.fromMs; t < ctx.toMs && starts.length < 100_800; t += s.periodMs) starts.push(t);
  return starts;
}

function fill(s: Series, how: MathNode, ctx: MathContext): Series {
  const known = [...s.points];
  const points = new Map<number, number>();
  const constant = how.kind === "name" ? undefined : evaluate(how, ctx);
  if (constant && constant.kind !== "scalar") throw new MathEvaluationError("FILL's second argument is a number, REPEAT or LINEAR");
  const mode = how.kind === "name" ? how.name.toUpperCase() : "VALUE";
  if (mode !== "VALUE" && mode !== "REPEAT" && mode !== "LINEAR") throw new MathEvaluationError(`FILL's second argument is a number, REPEAT or LINEAR, not ${how.kind === "name" ? how.name : "that"}`);
  // One pass over the grid with `next` the first known point at or after the period being filled.
  let next = 0;
  for (const t of grid(s, ctx)) {
    while (next < known.length && (known[next] as [number, number])[0] < t) next++;
    const own = s.points.get(t);
    const before = known[next - 1];
    const after = known[next]?.[0] === t ? known[next + 1] : known[next];
    if (own !== undefined) points.set(t, own);
    else if (constant?.kind === "scalar") points.set(t, constant.value);
    else if (mode === "REPEAT" && (before ?? after)) points.set(t, (before ?? after)?.[1] ?? 0);
    else if (mode === "LINEAR" && before && after) points.set(t, before[1] + ((after[1] - before[1]) * (t - before[0])) / (after[0] - before[0]));
    else if (mode === "LINEAR" && (before ?? after)) points.set(t, (before ?? after)?.[1] ?? 0);
  }
  return { ...s, points: sorted(points) };
}

function ifValue(args: readonly MathNode[], ctx: MathContext): MathValue {
  if (args.length < 2 || args.length > 3) throw new MathEvaluationError("IF takes a condition, a value and an optional value for false");
  const [condition, whenTrue, whenFalse] = args.map((a) => evaluate(a, ctx));
  const at = (v: MathValue | undefined, t: number) => (v === undefined ? undefined : v.kind === "scalar" ? v.value : asSeries(v).points.get(t));
  if (condition?.kind === "scalar") return condition.value !== 0 ? (whenTrue as MathValue) : (whenFalse ?? scalar(Number.NaN));
  const cond = asSeries(condition as MathValue);
  const points = new Map<number, number>();
  for (const [t, c] of cond.points) {
    const v = at(c !== 0 ? whenTrue : whenFalse, t);
    if (v !== undefined) points.set(t, v);
  }
  return seriesValue({ ...cond, points: sorted(points) });
}

function perPoint(s: Series, f: (v: number, prev: [number, number] | undefined, t: number) => number | undefined): Series {
  const points = new Map<number, number>();
  let prev: [number, number] | undefined;
  for (const [t, v] of s.points) {
    const out = f(v, prev, t);
    if (out !== undefined) points.set(t, out);
    prev = [t, v];
  }
  return { ...s, points: sorted(points) };
}

function elementwise(arg: MathValue, f: (s: Series) => Series): MathValue {
  if (arg.kind === "array") return { kind: "array", items: arg.items.map(f) };
  return seriesValue(f(asSeries(arg)));
}

function call(name: string, args: readonly MathNode[], ctx: MathContext): MathValue {
  const one = () => {
    if (args.length !== 1) throw new MathEvaluationError(`${name} takes one argument`);
    return evaluate(args[0] as MathNode, ctx);
  };
  const math = (f: (v: number) => number) => {
    const arg = one();
    return arg.kind === "scalar" ? scalar(f(arg.value)) : elementwise(arg, (s) => mapPoints(s, f));
  };
  switch (name) {
    case "SUM": case "AVG": case "MIN": case "MAX": return reduce(name, one());
    case "ABS": return math(Math.abs);
    case "CEIL": return math(Math.ceil);
    case "FLOOR": return math(Math.floor);
    case "FILL": {
      if (args.length !== 2) throw new MathEvaluationError("FILL takes a time series (or an array of them) and a number, REPEAT or LINEAR");
      return elementwise(evaluate(args[0] as MathNode, ctx), (s) => fill(s, args[1] as MathNode, ctx));
    }
    case "IF": return ifValue(args, ctx);
    case "METRICS": {
      const [filter] = args;
      if (args.length > 1 || (filter && filter.kind !== "string")) throw new MathEvaluationError("METRICS takes an optional string");
      const text = filter?.kind === "string" ? filter.value : "";
      return { kind: "array", items: ctx.metrics().filter((m) => m.id.includes(text) || m.series.label.includes(text)).map((m) => m.series) };
    }
    case "PERIOD": {
      const arg = one();
      return scalar((arg.kind === "array" ? (arg.items[0]?.periodMs ?? 60_000) : asSeries(arg).periodMs) / 1000);
    }
    case "DIFF": return elementwise(one(), (s) => perPoint(s, (v, prev) => (prev ? v - prev[1] : undefined)));
    case "RATE": return elementwise(one(), (s) => perPoint(s, (v, prev, t) => (prev ? (v - prev[1]) / ((t - prev[0]) / 1000) : undefined)));
    case "RUNNING_SUM": {
      let total = 0;
      return elementwise(one(), (s) => {
        total = 0;
        return perPoint(s, (v) => (total += v));
      });
    }
    default: throw new MathEvaluationError(`unknown function ${name}`);
  }
}

export function evaluate(node: MathNode, ctx: MathContext): MathValue {
  switch (node.kind) {
    case "number": return scalar(node.value);
    case "string": throw new MathEvaluationError(`a string ("${node.value}") is only accepted by METRICS`);
    case "name": return ctx.resolve(node.name);
    case "array": {
      const items = node.items.flatMap((item) => {
        const v = evaluate(item, ctx);
        return v.kind === "array" ? v.items : [asSeries(v)];
      });
      return { kind: "array", items };
    }
    case "unary": {
      const operand = evaluate(node.operand, ctx);
      return node.op === "-" ? combine("*", scalar(-1), operand) : combine("==", operand, scalar(0));
    }
    case "binary": return combine(node.op, evaluate(node.left, ctx), evaluate(node.right, ctx));
    case "call": return call(node.name, node.args, ctx);
  }
}

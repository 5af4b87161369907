import { PatternError, type Dialect, type JsonValue } from "./types.js";

/** One side of a numeric range: the bound in fixed-point units and whether it is included. */
interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** A compiled `numeric` condition: numbers only, compared in the dialect's fixed-point precision. */
export interface NumericRange {
  readonly lower?: Bound;
  readonly upper?: Bound;
}

/**
 * The dialect's fixed-point form of a number, or undefined outside its range. AWS compares numbers
 * this way (EventBridge: six decimals within ±5e9; SNS: five within ±1e9), so 0.1 + 0.2 equals 0.3.
 */
export function fixedPoint(value: number, dialect: Dialect): number | undefined {
  if (!Number.isFinite(value) || Math.abs(value) > dialect.numericLimit) return undefined;
  return Math.round(value * 10 ** dialect.numericDecimals);
}

/** AWS's message for a number outside the dialect's range. */
export function limitText(dialect: Dialect): string {
  const e = dialect.numericLimit.toExponential().replace("e+", "E").replace(/^(\d)E/, "$1.0E");
  return `Value must be between -${e} and ${e}, inclusive`;
}

function operand(value: JsonValue | undefined, operator: string, dialect: Dialect): number {
  if (typeof value !== "number") throw new PatternError(`Value of ${operator} must be numeric`);
  const fixed = fixedPoint(value, dialect);
  if (fixed === undefined) throw new PatternError(limitText(dialect));
  return fixed;
}

/** Compiles `["<", 5]`, `[">=", 0, "<", 10]`, `["=", 3.5]`, with AWS's messages for bad ones. */
export function compileNumeric(spec: JsonValue, dialect: Dialect): NumericRange {
  if (!Array.isArray(spec)) throw new PatternError("Value of numeric must be an array.");
  const [first, firstValue, second, secondValue, ...rest] = spec;
  if (typeof first !== "string") throw new PatternError(`Invalid member in numeric match: ${JSON.stringify(first)}`);
  const onlyOneTerm = (): void => {
    if (spec.length > 2) throw new PatternError("Too many elements in numeric expression");
  };
  switch (first) {
    case "=": {
      const value = operand(firstValue, "equals", dialect);
      onlyOneTerm();
      return { lower: { value, inclusive: true }, upper: { value, inclusive: true } };
    }
    case "<":
    case "<=": {
      const value = operand(firstValue, first, dialect);
      onlyOneTerm();
      return { upper: { value, inclusive: first === "<=" } };
    }
    case ">":
    case ">=": {
      const lower = { value: operand(firstValue, first, dialect), inclusive: first === ">=" };
      if (spec.length === 2) return { lower };
      if (typeof second !== "string") throw new PatternError(`Bad value in numeric range: ${JSON.stringify(second)}`);
      if (second !== "<" && second !== "<=") throw new PatternError(`Bad numeric range operator: ${second}`);
      const upper = { value: operand(secondValue, second, dialect), inclusive: second === "<=" };
      if (rest.length > 0) throw new PatternError("Too many terms in numeric range expression");
      if (upper.value < lower.value) throw new PatternError("Bottom must be less than top");
      return { lower, upper };
    }
    default:
      throw new PatternError(`Unrecognized numeric range operator: ${first}`);
  }
}

/** Whether a leaf value lies in the range: only JSON numbers do (the string "5" never matches). */
export function inRange(range: NumericRange, value: unknown, dialect: Dialect): boolean {
  if (typeof value !== "number") return false;
  const fixed = fixedPoint(value, dialect);
  if (fixed === undefined) return false;
  const { lower, upper } = range;
  if (lower && (lower.inclusive ? fixed < lower.value : fixed <= lower.value)) return false;
  if (upper && (upper.inclusive ? fixed > upper.value : fixed >= upper.value)) return false;
  return true;
}

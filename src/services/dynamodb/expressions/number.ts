/**
 * DynamoDB's Number type, exactly: up to 38 significant digits, magnitudes 1e-130 .. <1e126, compared
 * and added as decimals (a JavaScript float would round "0.1" + "0.2" and lose digits past 2^53).
 * A value is `coefficient × 10^scale` with BigInt arithmetic; nothing here rounds.
 */
import { UnkaiError } from "../../../core/errors.js";

export interface Decimal {
  /** Without trailing zeros (they move into `scale`); 0n only for zero. */
  readonly coefficient: bigint;
  readonly scale: number;
}

const MAX_DIGITS = 38;
/** Exponent of the leading digit: 1e-130 is the smallest magnitude, 9.99…e125 the largest. */
const MIN_LEADING_EXPONENT = -130;
const MAX_LEADING_EXPONENT = 125;
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const invalid = (message: string) => new UnkaiError("ValidationException", message);

/** Parses a Number's text as DynamoDB accepts it, with DynamoDB's messages for what it refuses. */
export function parseNumber(text: string): Decimal {
  if (!NUMBER_TEXT.test(text)) throw invalid("A value provided cannot be converted into a number");
  const [mantissa = "", exponentText] = text.toLowerCase().split("e");
  const [whole = "", fraction = ""] = mantissa.replace(/^[+-]/, "").split(".");
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  const digits = (whole + fraction).replace(/^0+/, "");
  if (digits === "") return { coefficient: 0n, scale: 0 };
  const negative = mantissa.startsWith("-");
  return checkRange(normalize(BigInt((negative ? "-" : "") + digits), exponent - fraction.length));
}

function normalize(coefficient: bigint, scale: number): Decimal {
  if (coefficient === 0n) return { coefficient: 0n, scale: 0 };
  let c = coefficient;
  let s = scale;
  while (c % 10n === 0n) {
    c /= 10n;
    s += 1;
  }
  return { coefficient: c, scale: s };
}

function digitCount(value: Decimal): number {
  return (value.coefficient < 0n ? -value.coefficient : value.coefficient).toString().length;
}

/** The exponent of the leading digit (1.5e3 → 3). */
function leadingExponent(value: Decimal): number {
  return digitCount(value) + value.scale - 1;
}

/** Refuses what DynamoDB cannot store: more than 38 digits, or a magnitude out of range. */
export function checkRange(value: Decimal): Decimal {
  if (value.coefficient === 0n) return value;
  if (digitCount(value) > MAX_DIGITS) throw invalid("Attempting to store more than 38 significant digits in a Number");
  const exponent = leadingExponent(value);
  if (exponent > MAX_LEADING_EXPONENT) throw invalid("Number overflow. Attempting to store a number with magnitude larger than supported range");
  if (exponent < MIN_LEADING_EXPONENT) throw invalid("Number underflow. Attempting to store a number with magnitude smaller than supported range");
  return value;
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.min(a.scale, b.scale);
  return [a.coefficient * 10n ** BigInt(a.scale - scale), b.coefficient * 10n ** BigInt(b.scale - scale), scale];
}

export function compareNumbers(a: Decimal, b: Decimal): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addNumbers(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = aligned(a, b);
  return checkRange(normalize(x + y, scale));
}

export function negate(a: Decimal): Decimal {
  return { coefficient: -a.coefficient, scale: a.scale };
}

/** DynamoDB's canonical text: plain notation, no exponent, no trailing zeros, no `+`. */
export function formatNumber(value: Decimal): string {
  if (value.coefficient === 0n) return "0";
  const negative = value.coefficient < 0n;
  const digits = (negative ? -value.coefficient : value.coefficient).toString();
  let text: string;
  if (value.scale >= 0) text = digits + "0".repeat(value.scale);
  else {
    const point = digits.length + value.scale;
    text = point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${"0".repeat(-point)}${digits}`;
  }
  return negative ? `-${text}` : text;
}

/** The canonical text of a Number's text (throws DynamoDB's messages for bad numbers). */
export function canonicalNumber(text: string): string {
  return formatNumber(parseNumber(text));
}

/**
 * Bytes whose unsigned byte order is the numeric order (for sort keys in any backend that orders
 * BLOBs by memcmp): a sign byte, the leading exponent, the digits; negatives inverted and terminated
 * so a shorter digit string (a smaller magnitude) sorts after a longer one with the same prefix.
 */
export function sortableNumber(value: Decimal): Buffer {
  if (value.coefficient === 0n) return Buffer.from([0x02]);
  const negative = value.coefficient < 0n;
  const digits = (negative ? -value.coefficient : value.coefficient).toString();
  const exponentByte = leadingExponent(value) - MIN_LEADING_EXPONENT;
  const bytes = Buffer.alloc(digits.length + (negative ? 3 : 2));
  bytes[0] = negative ? 0x01 : 0x03;
  bytes[1] = negative ? 0xff - exponentByte : exponentByte;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(i);
    bytes[i + 2] = negative ? 0xff - digit : digit;
  }
  if (negative) bytes[bytes.length - 1] = 0xff;
  return bytes;
}

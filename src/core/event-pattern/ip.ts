import { isIPv4, isIPv6 } from "node:net";
import { PatternError } from "./types.js";

/** An address as a number of `bits` bits: IPv4 is 32, IPv6 128; the families never match each other. */
interface Address {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

/** A compiled `cidr` condition. */
export interface CidrRange {
  readonly bits: 32 | 128;
  readonly network: bigint;
  readonly mask: bigint;
}

function ipv4Value(text: string): bigint {
  return text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  // An embedded dotted IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let body = text;
  if (dotted?.[1]) {
    const v4 = ipv4Value(dotted[1]);
    body = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = body.split("::");
  const headParts = head === "" ? [] : head.split(":");
  const tailParts = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : Array<string>(8 - headParts.length - tailParts.length).fill("0");
  return [...headParts, ...zeros, ...tailParts].reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)), 0n);
}

/** An IP address string as a number, or undefined when the text is not one (event values that are not IPs). */
export function parseAddress(text: string): Address | undefined {
  if (isIPv4(text)) return { bits: 32, value: ipv4Value(text) };
  if (isIPv6(text) && !text.includes("%")) return { bits: 128, value: ipv6Value(text) };
  return undefined;
}

/** Compiles `"10.0.0.0/24"` or `"2001:db8::/32"`; AWS refuses anything else in a `cidr`. */
export function compileCidr(text: string): CidrRange {
  const slash = text.indexOf("/");
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!address) throw new PatternError(`Nonstandard IP address: ${slash < 0 ? text : text.slice(0, slash)}`);
  const prefixText = slash < 0 ? String(address.bits) : text.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= address.bits)) throw new PatternError(`Malformed CIDR, mask bits must be between 0 and ${address.bits}`);
  const all = (1n << BigInt(address.bits)) - 1n;
  const mask = all ^ ((1n << BigInt(address.bits - prefix)) - 1n);
  return { bits: address.bits, network: address.value & mask, mask };
}

/** Whether a leaf value is an address of the range's family inside it. */
export function inCidr(range: CidrRange, value: unknown): boolean {
  if (typeof value !== "string") return false;
  const address = parseAddress(value);
  return address !== undefined && address.bits === range.bits && (address.value & range.mask) === range.network;
}

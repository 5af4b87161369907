/** Parses a JSON request body against a zod schema, answering with the service's own error type and the field that was wrong. */
import { z } from "zod/v3";
import { UnkaiError, type ErrorCode } from "../core/errors.js";
import { decodeUtf8 } from "./utf8.js";

export function parseJsonInput<T extends z.ZodType>(schema: T, body: Buffer, errorCode: ErrorCode): z.infer<T> {
  let value: unknown;
  try {
    value = body.length === 0 ? {} : JSON.parse(decodeUtf8(body));
  } catch (error) {
    throw new UnkaiError(errorCode, `Could not parse the request body as JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join(".") || "request body";
    throw new UnkaiError(errorCode, `Invalid input for ${field}: ${issue?.message ?? "invalid value"}.`);
  }
  return result.data as z.infer<T>;
}

/** A random id of lower-case letters and digits, as AWS's API, route and URL ids. */
export function randomId(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/**
 * A JSON map of names to strings (tags, variables), kept as sent. zod's z.record leaves out a key named
 * `__proto__` (its guard against prototype pollution); JSON.parse made it the object's own member, so it is
 * safe, and it must reach the checks that judge it (a tag so named is kept, a bad variable name refused)
 * instead of vanishing.
 */
export const stringMap = z.custom<Record<string, string>>(
  (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string"),
  "Expected an object mapping names to string values",
);

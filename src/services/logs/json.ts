/** The awsJson1.1 request and response bodies of the Logs API: zod-checked input, JSON output. */
import type { z } from "zod";
import { UnkaiError } from "../../core/errors.js";
import type { UnkaiResponse } from "../../protocol/http.js";
import { decodeUtf8 } from "../../protocol/utf8.js";

/** Parses a request body against `schema`; anything else is CloudWatch's InvalidParameterException. */
export function parse<T extends z.ZodType>(schema: T, body: Buffer): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(body.length === 0 ? "{}" : decodeUtf8(body));
  } catch {
    throw new UnkaiError("InvalidParameterException", "The request body is not valid JSON.");
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UnkaiError("InvalidParameterException", `${issue?.path.join(".") || "request"}: ${issue?.message ?? "invalid value"}.`);
  }
  return result.data;
}

/** A 200 with the operation's JSON output. */
export const respond = (value: unknown): UnkaiResponse => ({
  status: 200,
  headers: { "Content-Type": "application/x-amz-json-1.1" },
  body: JSON.stringify(value),
});

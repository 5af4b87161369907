/** XML in and out for the S3 REST API, over fast-xml-parser. */
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import type { UnkaiResponse } from "../../protocol/http.js";
import { S3Error } from "./errors.js";

const NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressEmptyNode: false, processEntities: true });

/** Elements that may repeat, always parsed as arrays so one and many look alike. */
const LISTS = new Set(["Object", "Part", "LambdaFunctionConfiguration", "CloudFunctionConfiguration", "QueueConfiguration", "TopicConfiguration", "Event", "FilterRule", "Tag"]);
/**
 * Values are taken exactly as sent: S3 keys may be spaces, a tab or end in one, so nothing is trimmed,
 * and character references (`&#xA;` for a newline in a key) are decoded. `htmlEntities` is what decodes
 * numeric references; HTML's named entities are refused before parsing (XML knows only five).
 */
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, htmlEntities: true, isArray: (name) => LISTS.has(name) });
const UNKNOWN_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;

/** A 200 (or given status) XML document whose root element is `root`. */
export function xmlResponse(root: string, content: Record<string, unknown>, headers: Record<string, string> = {}, status = 200): UnkaiResponse {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: { "@_xmlns": NAMESPACE, ...content } })}`;
  return { status, headers: { "Content-Type": "application/xml", ...headers }, body };
}

const MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema.";

/**
 * Parses a request body; anything that is not well-formed XML with `root` at the top is MalformedXML.
 * No S3 document has a DTD, so a DOCTYPE is refused outright: no external entity is ever fetched and
 * no entity expansion ("billion laughs") can run. Any parser failure (such as nesting past the
 * parser's depth limit) is the body's fault, answered MalformedXML, never InternalError.
 */
export function parseXml(body: Buffer, root: string): Record<string, unknown> {
  const text = body.toString("utf8");
  if (/<!DOCTYPE/i.test(text)) throw new S3Error("MalformedXML", `${MALFORMED} (a DOCTYPE is not allowed)`);
  let document: Record<string, unknown>;
  try {
    if (text.trim() === "" || UNKNOWN_ENTITY.test(text) || XMLValidator.validate(text) !== true) throw new Error("not well-formed");
    document = parser.parse(text) as Record<string, unknown>;
  } catch {
    throw new S3Error("MalformedXML", MALFORMED);
  }
  const value = document[root];
  if (value === undefined) throw new S3Error("MalformedXML", `The XML you provided has no ${root} element at its top.`);
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** Reads an optional list out of a parsed element. */
export function listOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

/** The text of a parsed element ("" when it is absent or has children). */
export function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

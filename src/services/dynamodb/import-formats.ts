/**
 * The source formats ImportTable reads, record by record from a text stream: DynamoDB JSON (one
 * `{"Item":{…}}` per line, as exports write it) and CSV (RFC 4180 quoting, a one-character delimiter,
 * the header from HeaderList or the file's first line; key attributes typed as the table's attribute
 * definitions say, every other attribute a string, as DynamoDB imports CSV). A bad record is an
 * `ImportRecordError`, counted by the caller; the stream goes on.
 */
import type { AttributeDefinition } from "./table-definition.js";

export class ImportRecordError extends Error {}

/** The items of a DynamoDB JSON source, one per non-empty line (a line that is not `{"Item":{…}}` is an error). */
export async function* dynamoJsonRecords(text: AsyncIterable<string>): AsyncGenerator<Record<string, unknown> | ImportRecordError> {
  for await (const line of lines(text)) {
    if (line instanceof ImportRecordError) {
      yield line;
      continue;
    }
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      yield new ImportRecordError(`The line is not JSON: ${line.slice(0, 200)}`);
      continue;
    }
    const item = typeof parsed === "object" && parsed !== null ? (parsed as { Item?: unknown }).Item : undefined;
    if (typeof item !== "object" || item === null || Array.isArray(item)) yield new ImportRecordError(`The line has no "Item" object: ${line.slice(0, 200)}`);
    else yield item as Record<string, unknown>;
  }
}

/**
 * The longest record read (a line, or a CSV row): DynamoDB's items are at most 400 KB, so a longer one
 * is an error, and its text is skipped rather than held.
 */
export const MAX_RECORD_CHARS = 1024 * 1024;

/** The lines of a text stream (without their `\n` or `\r\n`); a line over MAX_RECORD_CHARS is an error. */
async function* lines(text: AsyncIterable<string>): AsyncGenerator<string | ImportRecordError> {
  let rest = "";
  let skipping = false;
  for await (const chunk of text) {
    let start = 0;
    let end: number;
    while ((end = chunk.indexOf("\n", start)) >= 0) {
      if (!skipping) yield (rest + chunk.slice(start, end)).replace(/\r$/, "");
      rest = "";
      skipping = false;
      start = end + 1;
    }
    if (skipping) continue;
    rest += chunk.slice(start);
    if (rest.length > MAX_RECORD_CHARS) {
      yield tooLong();
      rest = "";
      skipping = true;
    }
  }
  if (rest !== "" && !skipping) yield rest.replace(/\r$/, "");
}

const tooLong = () => new ImportRecordError(`A record is longer than ${MAX_RECORD_CHARS} characters (an item is at most 400 KB)`);

/**
 * The rows of a CSV source: fields split by `delimiter`, `"` quoting (a `""` inside is one quote), quoted
 * newlines kept; a row over MAX_RECORD_CHARS is an error, skipped to its end.
 */
export async function* csvRows(text: AsyncIterable<string>, delimiter: string): AsyncGenerator<string[] | ImportRecordError> {
  let field = "";
  let row: string[] = [];
  let rowChars = 0;
  let quoted = false;
  // A `"` met inside quotes: the next character (perhaps the next chunk's first) says whether it was `""` or the end.
  let quoteSeen = false;
  let afterQuote = false;
  let skipping = false;
  for await (const chunk of text) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (quoteSeen) {
        quoteSeen = false;
        if (c === '"') {
          field += '"';
          continue;
        }
        quoted = false;
        afterQuote = true;
      }
      if (quoted) {
        if (c === '"') quoteSeen = true;
        else field += c;
      } else if (c === '"' && field === "" && !afterQuote) quoted = true;
      else if (c === delimiter) {
        rowChars += field.length + 1;
        row.push(field);
        field = "";
        afterQuote = false;
      } else if (c === "\n") {
        if (!skipping) yield [...row, field.replace(/\r$/, "")];
        row = [];
        field = "";
        rowChars = 0;
        afterQuote = false;
        skipping = false;
      } else field += c;
      if (rowChars + field.length > MAX_RECORD_CHARS) {
        if (!skipping) yield tooLong();
        skipping = true;
        row = [];
        field = "";
        rowChars = 0;
      }
    }
  }
  if (!skipping && (field !== "" || row.length > 0)) yield [...row, field.replace(/\r$/, "")];
}

/**
 * The items of a CSV source: each row's fields named by `headerList` (or, without one, by the file's first
 * row). Key attributes get the type the table defines (N, B in base64, S); every other field is a string.
 */
export async function* csvRecords(text: AsyncIterable<string>, delimiter: string, headerList: readonly string[] | undefined, types: readonly AttributeDefinition[]): AsyncGenerator<Record<string, unknown> | ImportRecordError> {
  let header = headerList;
  const typeOf = new Map(types.map((d) => [d.AttributeName, d.AttributeType]));
  for await (const row of csvRows(text, delimiter)) {
    if (row instanceof ImportRecordError) {
      yield row;
      continue;
    }
    if (row.length === 1 && row[0] === "") continue;
    if (header === undefined) {
      header = row;
      continue;
    }
    if (row.length > header.length) {
      yield new ImportRecordError(`The row has ${row.length} fields, more than the header's ${header.length}: ${row.join(delimiter).slice(0, 200)}`);
      continue;
    }
    const item: Record<string, unknown> = {};
    row.forEach((value, i) => {
      const name = header?.[i] as string;
      // Defined, not assigned: a column named `__proto__` is an attribute like any other.
      Object.defineProperty(item, name, { value: { [typeOf.get(name) ?? "S"]: value }, enumerable: true, writable: true, configurable: true });
    });
    yield item;
  }
}

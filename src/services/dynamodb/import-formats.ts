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

/** The lines of a text stream (without their `\n` or `\r\n`). */
async function* lines(text: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of text) {
    rest += chunk;
    let end: number;
    while ((end = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, end).replace(/\r$/, "");
      rest = rest.slice(end + 1);
    }
  }
  if (rest !== "") yield rest.replace(/\r$/, "");
}

/** The rows of a CSV source: fields split by `delimiter`, `"` quoting (a `""` inside is one quote), quoted newlines kept. */
export async function* csvRows(text: AsyncIterable<string>, delimiter: string): AsyncGenerator<string[]> {
  let field = "";
  let row: string[] = [];
  let quoted = false;
  let afterQuote = false;
  for await (const chunk of text) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (quoted) {
        if (c !== '"') field += c;
        else if (chunk[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
        continue;
      }
      if (c === '"' && field === "" && !afterQuote) quoted = true;
      else if (c === delimiter) {
        row.push(field);
        field = "";
        afterQuote = false;
      } else if (c === "\n") {
        row.push(field.replace(/\r$/, ""));
        yield row;
        row = [];
        field = "";
        afterQuote = false;
      } else field += c;
    }
  }
  if (field !== "" || row.length > 0) yield [...row, field.replace(/\r$/, "")];
}

/**
 * The items of a CSV source: each row's fields named by `headerList` (or, without one, by the file's first
 * row). Key attributes get the type the table defines (N, B in base64, S); every other field is a string.
 */
export async function* csvRecords(text: AsyncIterable<string>, delimiter: string, headerList: readonly string[] | undefined, types: readonly AttributeDefinition[]): AsyncGenerator<Record<string, unknown> | ImportRecordError> {
  let header = headerList;
  const typeOf = new Map(types.map((d) => [d.AttributeName, d.AttributeType]));
  for await (const row of csvRows(text, delimiter)) {
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
      item[name] = { [typeOf.get(name) ?? "S"]: value };
    });
    yield item;
  }
}

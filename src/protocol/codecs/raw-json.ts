/**
 * JSON text an operation already holds in its wire form (a stored DynamoDB item), handed to the JSON
 * wires as it is instead of parsed into objects only to be serialised again. It stands where the model
 * says document: the codec's encoder passes documents through untouched, and `jsonText` splices the
 * text into the body where it is a member of the output or an element of one of its lists. Anywhere
 * else (deeper, or on a wire that is not JSON) `toJSON` gives its parsed value, so the body is the same.
 */
export class RawJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text) as unknown;
  }
}

const holdsRaw = (value: unknown): boolean => value instanceof RawJson || (Array.isArray(value) && value[0] instanceof RawJson);

const elementText = (value: unknown): string => (value instanceof RawJson ? value.text : (JSON.stringify(value) ?? "null"));

/** `JSON.stringify(value)`, with the RawJson members (and list elements) of a top-level object spliced in as they are. */
export function jsonText(value: unknown): string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return JSON.stringify(value);
  const members = value as Record<string, unknown>;
  let raw = false;
  for (const key in members) if (holdsRaw(members[key])) raw = true;
  if (!raw) return JSON.stringify(value);
  const parts: string[] = [];
  for (const key in members) {
    const member = members[key];
    if (member === undefined || typeof member === "function") continue;
    const text = member instanceof RawJson ? member.text : Array.isArray(member) ? `[${Array.from(member, elementText).join(",")}]` : JSON.stringify(member);
    parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(",")}}`;
}

/** Reading IAM's answers: paged listings, URL-encoded policy documents, and who a trust policy lets in. */
import { iam } from "./api.js";

/** Every item of a paged IAM listing (IAM pages with Marker / IsTruncated). */
export async function listAll(Command, input, key) {
  const all = [];
  let Marker;
  do {
    const page = await iam().send(new Command({ ...input, Marker }));
    all.push(...(page[key] ?? []));
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return all;
}

/** A policy document as IAM returns it (URL-encoded JSON, RFC 3986), parsed; the text itself when it is not JSON. */
export function parseDocument(raw) {
  if (!raw) return undefined;
  for (const text of [raw, safeDecode(raw)]) {
    try {
      return JSON.parse(text);
    } catch {
      // try the next form
    }
  }
  return raw;
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export const prettyDocument = (raw) => {
  const parsed = parseDocument(raw);
  return typeof parsed === "string" ? parsed : JSON.stringify(parsed, null, 2);
};

const asList = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const statementsOf = (document) => (typeof document === "object" && document ? asList(document.Statement) : []);

/** A principal element as short text: `Service: lambda.amazonaws.com; AWS: arn:…`, or `*`. */
export function describePrincipal(principal) {
  if (principal === undefined) return "–";
  if (typeof principal === "string") return principal;
  return Object.entries(principal).map(([kind, values]) => `${kind}: ${asList(values).join(", ")}`).join("; ");
}

/** The principals an Allow statement of a trust policy names, as short texts. */
export function trustedPrincipals(rawDocument) {
  return statementsOf(parseDocument(rawDocument)).filter((s) => s.Effect === "Allow").map((s) => describePrincipal(s.Principal));
}

/** Whether a trust policy lets `service` assume the role (an Allow of sts:AssumeRole or a wildcard for that service principal). */
export function trustsService(rawDocument, service) {
  return statementsOf(parseDocument(rawDocument)).some((s) => {
    if (s.Effect !== "Allow") return false;
    const principal = s.Principal;
    const named = principal === "*" || asList(principal?.Service).includes(service);
    const actions = asList(s.Action);
    return named && actions.some((a) => a === "*" || a === "sts:*" || a === "sts:AssumeRole");
  });
}

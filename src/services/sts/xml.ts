/** STS's XML: its namespace and text escaping for the few values it writes. */
export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

export function xmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

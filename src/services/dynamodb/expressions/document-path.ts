/** Reading and writing an item at a document path (`a.b[2].c`). */
import type { Path } from "./ast.js";
import { attributeOf, setAttribute, type AttributeMap, type AttributeValue } from "./attribute-value.js";

/** The value at `path`, or undefined when any step is missing or of the wrong type. */
export function getPath(item: AttributeMap, path: Path): AttributeValue | undefined {
  let current: AttributeValue | undefined = { M: item };
  for (const element of path) {
    if (current === undefined) return undefined;
    if ("name" in element) current = current.M === undefined ? undefined : attributeOf(current.M, element.name);
    else current = current.L?.[element.index];
  }
  return current;
}

/**
 * Sets `value` at `path` in `item` (mutating it). False when the parent does not exist or is of
 * the wrong type ("The document path provided in the update expression is invalid for update").
 * An index past a list's end appends, as DynamoDB does.
 */
export function setPath(item: AttributeMap, path: Path, value: AttributeValue): boolean {
  const parent = getPath(item, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent === undefined || last === undefined) return false;
  if ("name" in last) {
    if (parent.M === undefined) return false;
    setAttribute(parent.M, last.name, value);
    return true;
  }
  if (parent.L === undefined) return false;
  if (last.index >= parent.L.length) parent.L.push(value);
  else parent.L[last.index] = value;
  return true;
}

/** Removes what is at `path` (a list element shifts the rest down); nothing when it is missing. */
export function removePath(item: AttributeMap, path: Path): void {
  const parent = getPath(item, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent === undefined || last === undefined) return;
  if ("name" in last) {
    if (parent.M !== undefined) delete parent.M[last.name];
  } else if (parent.L !== undefined && last.index < parent.L.length) parent.L.splice(last.index, 1);
}

/** A deep copy (blobs shared: nothing mutates them). */
export function cloneItem(item: AttributeMap): AttributeMap {
  const copy: AttributeMap = {};
  for (const [name, value] of Object.entries(item)) setAttribute(copy, name, cloneValue(value));
  return copy;
}

export function cloneValue(value: AttributeValue): AttributeValue {
  if (value.M !== undefined) return { M: cloneItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(cloneValue) };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: [...value.BS] };
  return { ...value };
}

/** How two paths relate: one inside (or equal to) the other, or diverging at a name vs an index. */
export function pathsClash(a: Path, b: Path): "overlap" | "conflict" | undefined {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const [x, y] = [a[i], b[i]];
    if (x === undefined || y === undefined) break;
    const xName = "name" in x;
    if (xName !== "name" in y) return "conflict";
    if (xName ? (x as { name: string }).name !== (y as { name: string }).name : (x as { index: number }).index !== (y as { index: number }).index) return undefined;
  }
  return "overlap";
}

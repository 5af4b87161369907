/** ProjectionExpression: a comma-separated list of document paths, and the item it keeps. */
import type { Path } from "./ast.js";
import { setAttribute, type AttributeMap, type AttributeValue } from "./attribute-value.js";
import { Cursor } from "./cursor.js";
import { cloneValue, getPath } from "./document-path.js";
import type { ExpressionAttributes } from "./expression-attributes.js";
import { checkOverlaps } from "./parse-update.js";

export function parseProjection(source: string, attributes: ExpressionAttributes): Path[] {
  const cursor = new Cursor(source, "ProjectionExpression", attributes);
  const paths = [cursor.path()];
  while (cursor.accept(",")) paths.push(cursor.path());
  cursor.end();
  checkOverlaps(cursor, paths);
  return paths;
}

/** A projected list keeps its elements' order but not their positions (indexes 1 and 3 become 0 and 1). */
type Sparse = { kind: "map"; members: Map<string, Sparse | AttributeValue> } | { kind: "list"; members: Map<number, Sparse | AttributeValue> };

/** The parts of `item` the paths name, nested as in the item; paths that name nothing are left out. */
export function project(item: AttributeMap, paths: readonly Path[]): AttributeMap {
  const root: Sparse = { kind: "map", members: new Map() };
  for (const path of paths) {
    const value = getPath(item, path);
    if (value !== undefined) place(root, path, cloneValue(value));
  }
  return (materialize(root) as { M: AttributeMap }).M;
}

function place(root: Sparse, path: Path, value: AttributeValue): void {
  let node = root;
  path.forEach((element, i) => {
    const key = "name" in element ? element.name : element.index;
    const members = node.members as Map<string | number, Sparse | AttributeValue>;
    if (i === path.length - 1) {
      members.set(key, value);
      return;
    }
    const nextElement = path[i + 1] as Path[number];
    let child = members.get(key);
    if (child === undefined || !("kind" in child)) {
      child = "name" in nextElement ? { kind: "map", members: new Map() } : { kind: "list", members: new Map() };
      members.set(key, child);
    }
    node = child;
  });
}

function materialize(node: Sparse | AttributeValue): AttributeValue {
  if (!("kind" in node)) return node;
  if (node.kind === "map") {
    const map: AttributeMap = {};
    for (const [name, child] of node.members) setAttribute(map, name, materialize(child));
    return { M: map };
  }
  return { L: [...node.members.entries()].sort(([a], [b]) => a - b).map(([, child]) => materialize(child)) };
}

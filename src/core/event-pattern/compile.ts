import { compileLeaf, type Condition } from "./operators.js";
import { PatternError, type Dialect, type JsonValue } from "./types.js";

/** A compiled object level of a pattern: every field must match, and one branch of every `$or`. */
export interface PatternNode {
  readonly fields: ReadonlyArray<readonly [key: string, PatternNode | LeafNode]>;
  readonly ors: ReadonlyArray<readonly PatternNode[]>;
}

/** A compiled leaf: its alternatives, any one of which may match. */
export interface LeafNode {
  readonly conditions: readonly Condition[];
}

export const isLeaf = (node: PatternNode | LeafNode): node is LeafNode => "conditions" in node;

const OR = "$or";

function compileOr(value: JsonValue, dialect: Dialect): PatternNode[] {
  if (!Array.isArray(value)) throw new PatternError("It must be an Array followed with $or.");
  const branches = value.map((branch) => {
    if (typeof branch !== "object" || branch === null || Array.isArray(branch)) {
      throw new PatternError("Only JSON object is allowed in array of $or relationship.");
    }
    return compileObject(branch, dialect);
  });
  if (branches.length < 2) throw new PatternError("There must have at least 2 Objects in $or relationship.");
  return branches;
}

function compileObject(pattern: { [key: string]: JsonValue }, dialect: Dialect): PatternNode {
  const fields: Array<readonly [string, PatternNode | LeafNode]> = [];
  const ors: PatternNode[][] = [];
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new PatternError("Empty objects are not allowed");
  for (const key of keys) {
    const value = pattern[key] as JsonValue;
    if (key === OR && dialect.orAllowed) {
      ors.push(compileOr(value, dialect));
    } else if (Array.isArray(value)) {
      fields.push([key, { conditions: compileLeaf(value, dialect) }]);
    } else if (typeof value === "object" && value !== null) {
      if (!dialect.nested) throw new PatternError(`"${key}" must be an array; this filter policy scope does not support nested policies`);
      fields.push([key, compileObject(value, dialect)]);
    } else {
      throw new PatternError(`"${key}" must be an object or an array`);
    }
  }
  return { fields, ors };
}

/** Leaf keys (paths) a pattern names, inside `$or` branches too. */
export function leafPaths(node: PatternNode, prefix = ""): Set<string> {
  const paths = new Set<string>();
  for (const [key, child] of node.fields) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (isLeaf(child)) paths.add(path);
    else for (const p of leafPaths(child, path)) paths.add(p);
  }
  for (const branches of node.ors) for (const branch of branches) for (const p of leafPaths(branch, prefix)) paths.add(p);
  return paths;
}

/** SNS's "total combination of values": alternatives multiplied across keys, `$or` branches added. */
export function combinations(node: PatternNode): number {
  let total = 1;
  for (const [, child] of node.fields) total *= isLeaf(child) ? child.conditions.length : combinations(child);
  for (const branches of node.ors) total *= branches.reduce((sum, branch) => sum + combinations(branch), 0);
  return total;
}

function parse(source: string | JsonValue): JsonValue {
  if (typeof source !== "string") return source;
  try {
    return JSON.parse(source) as JsonValue;
  } catch (error) {
    throw new PatternError(`The pattern is not valid JSON: ${(error as Error).message}`);
  }
}

/** Parses and validates a pattern (JSON text or an already-parsed value) into its compiled tree. */
export function compileTree(source: string | JsonValue, dialect: Dialect): PatternNode {
  const pattern = parse(source);
  if (typeof pattern !== "object" || pattern === null || Array.isArray(pattern)) throw new PatternError("Filter is not an object");
  const root = compileObject(pattern, dialect);
  if (dialect.maxKeys !== undefined && leafPaths(root).size > dialect.maxKeys) {
    throw new PatternError(`Filter policy can not have more than ${dialect.maxKeys} keys`);
  }
  if (dialect.maxCombinations !== undefined && combinations(root) > dialect.maxCombinations) {
    throw new PatternError("Filter policy is too complex");
  }
  return root;
}

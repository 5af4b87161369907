/** DynamoDB's expression languages, parsed and evaluated by our own code (no generated grammar). */
export type { Condition, Path, UpdateActions } from "./ast.js";
export { formatPath } from "./ast.js";
export * from "./attribute-value.js";
export { ExpressionAttributes } from "./expression-attributes.js";
export { parseCondition } from "./parse-condition.js";
export { parseUpdate } from "./parse-update.js";
export { parseProjection, project } from "./projection.js";
export { evaluate } from "./evaluate.js";
export { applyUpdate } from "./apply-update.js";
export { keyRange, type KeyRange, type KeySchema, type SortOperator } from "./key-condition.js";
export { getPath } from "./document-path.js";
export { canonicalNumber, parseNumber, sortableNumber, compareNumbers } from "./number.js";

/**
 * A request's ExpressionAttributeNames and ExpressionAttributeValues: checked once, resolved by the
 * expressions that use them, and refused when one is left unused (as DynamoDB does).
 */
import { UnkaiError } from "../../../core/errors.js";
import { checkValue, EmptySetError, type AttributeValue } from "./attribute-value.js";

const invalid = (message: string) => new UnkaiError("ValidationException", message);
const KEY = /^[A-Za-z0-9_]+$/;

export class ExpressionAttributes {
  private readonly names: ReadonlyMap<string, string>;
  private readonly values: ReadonlyMap<string, AttributeValue>;
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  constructor(names: Readonly<Record<string, string>> | undefined, values: Readonly<Record<string, unknown>> | undefined) {
    if (names !== undefined && Object.keys(names).length === 0) throw invalid("ExpressionAttributeNames must not be empty");
    if (values !== undefined && Object.keys(values).length === 0) throw invalid("ExpressionAttributeValues must not be empty");
    for (const key of Object.keys(names ?? {})) {
      if (!key.startsWith("#") || !KEY.test(key.slice(1))) throw invalid(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${key}"`);
    }
    const checked = new Map<string, AttributeValue>();
    for (const [key, value] of Object.entries(values ?? {})) {
      if (!key.startsWith(":") || !KEY.test(key.slice(1))) throw invalid(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${key}"`);
      try {
        checked.set(key, checkValue(value));
      } catch (error) {
        if (!(error instanceof UnkaiError) || error.code !== "ValidationException") throw error;
        throw invalid(`ExpressionAttributeValues contains invalid value: ${error.message}${error instanceof EmptySetError ? "" : ` for key ${key}`}`);
      }
    }
    this.names = new Map(Object.entries(names ?? {}));
    this.values = checked;
  }

  /** Whether the request gave any names or values (refused when it has no expression to use them). */
  get given(): { names: boolean; values: boolean } {
    return { names: this.names.size > 0, values: this.values.size > 0 };
  }

  /** The attribute name `#alias` stands for; `kind` names the expression in the message. */
  name(alias: string, kind: string): string {
    const name = this.names.get(alias);
    if (name === undefined) throw invalid(`Invalid ${kind}: An expression attribute name used in the document path is not defined; attribute name: ${alias}`);
    this.usedNames.add(alias);
    return name;
  }

  value(token: string, kind: string): AttributeValue {
    const value = this.values.get(token);
    if (value === undefined) throw invalid(`Invalid ${kind}: An expression attribute value used in expression is not defined; attribute value: ${token}`);
    this.usedValues.add(token);
    return value;
  }

  /** Called after every expression of the request is parsed. */
  assertAllUsed(): void {
    const unusedNames = [...this.names.keys()].filter((key) => !this.usedNames.has(key));
    if (unusedNames.length > 0) throw invalid(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(", ")}}`);
    const unusedValues = [...this.values.keys()].filter((key) => !this.usedValues.has(key));
    if (unusedValues.length > 0) throw invalid(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(", ")}}`);
  }
}

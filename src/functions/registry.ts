/**
 * The narrow view of the function registry that invokers outside Lambda's API use (the async
 * worker, event sources, served APIs): look a function up, resolve a qualifier, and say what the
 * engine runs. Only Lambda's API and the server's wiring see the whole `FunctionService`.
 */
import type { Account } from "../core/arn.js";
import type { FunctionRecord } from "../core/function.js";
import type { FunctionVersion } from "../engine/function-version.js";

export interface FunctionRegistry {
  readonly account: Account;
  /** The function's ARN, qualified when `qualifier` is given. */
  arn(name: string, qualifier?: string): string;
  /** The stored function ($LATEST), or undefined. */
  find(name: string): Promise<FunctionRecord | undefined>;
  /** What an invocation of `name:qualifier` runs, or ResourceNotFoundException. */
  resolve(name: string, qualifier: string | undefined): Promise<FunctionRecord>;
  /** What the engine runs for this record. */
  runnable(record: FunctionRecord): FunctionVersion;
}

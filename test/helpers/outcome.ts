import assert from "node:assert/strict";

/** How a call ended, for tables of allowed and refused calls (IAM and resource-policy tests). */

/** Access keys a test acts with (an IAM user's, a role session's). */
export interface Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** "ok", or the error a call failed with as `Name: message`. */
export async function attempt(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "ok";
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

/** An AWS SDK error as a test reads it. */
export interface AwsError {
  readonly name: string;
  readonly message: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The error a call that must fail failed with (the test fails when it succeeds). */
export async function failure(promise: Promise<unknown>): Promise<AwsError> {
  try {
    await promise;
  } catch (error) {
    return error as AwsError;
  }
  assert.fail("the call succeeded");
}

/** A refused call in the parts a caller sees: error name, message and HTTP status (the test fails when it succeeds). */
export async function refusal(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  const error = await failure(promise);
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
}

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

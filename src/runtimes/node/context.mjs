// The `context` argument handed to Node.js handlers (contracts §7.1 "Context object").
//
// Imports only Node built-ins and siblings: this file runs inside the sandbox.

function parseJsonHeader(value) {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined; // The host sends these; a malformed one must not fail the invocation.
  }
}

/**
 * Returns `makeContext(headers, invocation)`, which builds one invocation's context. The
 * per-environment fields are read from `env` once, here; `memoryLimitInMB` stays a string as in
 * AWS. `invocation` supplies the legacy `succeed`/`fail`/`done` functions, already bound, so
 * handlers may pass them around (`someApi(context.done)`).
 */
export function contextFactory(env) {
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME;
  const functionVersion = env.AWS_LAMBDA_FUNCTION_VERSION;
  const memoryLimitInMB = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  const logGroupName = env.AWS_LAMBDA_LOG_GROUP_NAME;
  const logStreamName = env.AWS_LAMBDA_LOG_STREAM_NAME;

  return function makeContext(headers, invocation) {
    const deadlineMs = Number(headers['lambda-runtime-deadline-ms']);
    return {
      // A plain data property: the runtime reads it when the callback is called.
      callbackWaitsForEmptyEventLoop: true,
      succeed: invocation.succeed,
      fail: invocation.fail,
      done: invocation.done,
      functionVersion,
      functionName,
      memoryLimitInMB,
      logGroupName,
      logStreamName,
      clientContext: parseJsonHeader(headers['lambda-runtime-client-context']),
      identity: parseJsonHeader(headers['lambda-runtime-cognito-identity']),
      invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
      awsRequestId: invocation.id,
      tenantId: headers['lambda-runtime-aws-tenant-id'],
      /** Milliseconds left before the deadline; negative once it has passed. */
      getRemainingTimeInMillis: () => deadlineMs - Date.now(),
    };
  };
}

// Unkai's Node.js runtime process. The host starts it as `node bootstrap.mjs` inside an execution
// environment (cwd = the function's code), and it speaks the Lambda Runtime API at
// $AWS_LAMBDA_RUNTIME_API (contracts §1): Init (resolve + load `_HANDLER`), then forever
// GET /next → run the handler → POST /response or /error. Behaviour follows AWS's managed Node.js
// runtime (contracts §5.3, §7.1). When `_UNKAI_CHANNEL_FD` is set, the same calls travel as frames
// over that inherited socket instead (ADR 4, frame-client.mjs).
//
// Pooled mode (`_UNKAI_POOLED=1`): the process is started before a function is assigned and waits
// for one specialisation line on stdin (see specialise.mjs); everything imported below is ready by
// then. Otherwise stdin is never touched.
//
// This file and its siblings import only Node built-ins: they run inside the sandbox, never host code.
//
// Exit codes (the host maps them to reasons):
//   129  uncaught exception — during an invoke (after posting /error), outside one, or a failed
//        Init (after posting /init/error); the code AWS's runtime uses for uncaught exceptions.
//   128  unhandled promise rejection (after posting /error when an invoke is in flight), as AWS.
//   1    the runtime itself cannot go on: Runtime API unreachable or answering 5xx, missing or
//        malformed AWS_LAMBDA_RUNTIME_API, framed channel closed or sending a frame that cannot be
//        parsed, bad pooled specialisation line. Nothing is posted.
import { contextFactory } from './context.mjs';
import { NODEJS_EXIT_MESSAGE, runtimeError, safeString, toErrorShape } from './errors.mjs';
import { installAwsLambdaGlobal, loadHandler } from './handler.mjs';
import { Invoker } from './invoker.mjs';
import { installConsole, logFailure, warn, warmUpLogging } from './logging.mjs';
import { channelExpected, FrameClient, warmUpFrames } from './frame-client.mjs';
import { RuntimeClient, warmUpHttp } from './runtime-client.mjs';
import { specialiseFromStdin } from './specialise.mjs';

const EXIT_UNCAUGHT_EXCEPTION = 129;
const EXIT_UNHANDLED_REJECTION = 128;
const EXIT_RUNTIME_FAILURE = 1;

/** 'init' until the handler is loaded, then 'invoke'. */
let phase = 'init';
let exiting = false;
let invoker;

function die(message) {
  exiting = true;
  warn(message);
  process.exit(EXIT_RUNTIME_FAILURE);
}

if (process.env._UNKAI_POOLED === '1') {
  // Pre-work while unassigned: everything imported above, plus Node's lazy first-use costs.
  warmUpLogging();
  if (channelExpected(process.env)) warmUpFrames();
  // Warm Node's HTTP client either way: the function's own first outbound request benefits.
  await warmUpHttp();
  try {
    specialiseFromStdin();
  } catch (err) {
    die(err.message);
  }
}

const env = process.env;
installConsole(env);
if (!/^(1|true)$/i.test(env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA ?? '')) installAwsLambdaGlobal();

let client;
try {
  client = env._UNKAI_CHANNEL_FD ? new FrameClient(env._UNKAI_CHANNEL_FD) : new RuntimeClient(env.AWS_LAMBDA_RUNTIME_API ?? '');
} catch (err) {
  die(err.message);
}

/** Reports an Init failure: one log record, POST /init/error. */
async function reportInitError(err, label) {
  const shape = toErrorShape(err);
  logFailure(label, shape);
  try {
    await client.postInitError(shape);
  } catch (postErr) {
    warn(postErr.message);
  }
}

/** Reports a fatal failure to the Runtime API (init or current invoke), then exits with `code`. */
function fatal(err, label, code) {
  if (exiting) return;
  exiting = true;
  try {
    const reported = phase === 'init' ? reportInitError(err, label) : invoker.abort(err, label);
    reported.finally(() => process.exit(code));
  } catch (bug) {
    warn(`failed to report ${label}: ${safeString(bug?.stack ?? bug)}`);
    process.exit(code);
  }
}

process.on('uncaughtException', (err) => {
  fatal(err, 'Uncaught Exception', EXIT_UNCAUGHT_EXCEPTION);
});

process.on('unhandledRejection', (reason) => {
  const err = runtimeError('Runtime.UnhandledPromiseRejection', safeString(reason), reason);
  fatal(err, 'Unhandled Promise Rejection', EXIT_UNHANDLED_REJECTION);
});

// The event loop has emptied: the handler's pending work is done (or it forgot to finish). The
// Runtime API socket (or the framed channel) is unref'd between calls, so it does not hide this moment.
process.on('beforeExit', () => {
  if (exiting) return;
  if (phase === 'init') {
    // Module evaluation (e.g. a top-level await) never finished and nothing is left to run.
    fatal(runtimeError('Runtime.NodeJsExit', NODEJS_EXIT_MESSAGE), 'Uncaught Exception', EXIT_UNCAUGHT_EXCEPTION);
  } else {
    invoker.onEventLoopEmpty();
  }
});

async function serve() {
  let loaded;
  try {
    loaded = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), env._HANDLER);
  } catch (err) {
    fatal(err, 'Uncaught Exception', EXIT_UNCAUGHT_EXCEPTION);
    return;
  }
  if (exiting) return;
  invoker = new Invoker({
    client,
    handler: loaded.handler,
    streaming: loaded.streaming,
    highWaterMark: loaded.highWaterMark,
    makeContext: contextFactory(env),
  });
  phase = 'invoke';
  while (!invoker.stopped) {
    const next = await client.next();
    if (invoker.stopped) return;
    await invoker.run(next);
  }
}

// Not a top-level await: an unsettled top-level await would make Node exit with code 13 instead
// of emitting 'beforeExit'.
serve().catch((err) => {
  if (!exiting) die(safeString(err?.message ?? err));
});

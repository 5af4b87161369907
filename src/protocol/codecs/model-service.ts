/**
 * A `Service` built from an AWS service model: it claims the requests of every protocol the model
 * lists, decodes and validates their input from the model, runs the operation and encodes its output
 * or error in the protocol the client spoke. CONTRIBUTING.md ("Add an AWS service") shows its use.
 */
import type { Logger } from "pino";
import { UnkaiError } from "../../core/errors.js";
import type { ActionRequest } from "../../core/iam-policy/index.js";
import type { AuthRefusal, Caller, Service, UnkaiRequest, UnkaiResponse } from "../http.js";
import { decodedRequest } from "./content-encoding.js";
import { EventStreamOutput, eventStreamResponse } from "./event-stream-output.js";
import { InvalidInput, MalformedInput, type Violation } from "./input-errors.js";
import { protocolsOf, type OperationModel, type Protocol, type ServiceModel } from "./model.js";
import { errorResponse, outputResponse, specOf, type AnyErrorTable } from "./render.js";
import { addressOf, cborPathPrefix, decodeQueryInput, decodeRpcInput, type Addressed } from "./requests.js";
import { validate } from "./validate.js";

export interface OperationContext {
  readonly request: UnkaiRequest;
  /** Who signed the request (the adapter verified it before the service ran). */
  readonly caller: Caller;
  /** The protocol the client spoke; the output is encoded in it. */
  readonly protocol: Protocol;
  readonly operation: string;
  readonly requestId: string;
}

/**
 * One operation: its input is the model's input structure as plain values (member names as in the
 * model; Date for timestamps, Uint8Array for blobs), already validated; it returns the output
 * structure the same way (or nothing), or throws `UnkaiError` with a code of the service's table.
 * Declare `input` with your own interface: the codec guarantees the model's types. An operation whose
 * output is an event stream returns an `EventStreamOutput` (event-stream-output.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each operation declares its own input type
export type Operation = (input: any, ctx: OperationContext) => Promise<object | undefined | void>;
export type Operations = Readonly<Record<string, Operation>>;

export interface ModelServiceOptions {
  /** The module's name (its error table's key). */
  readonly name: string;
  readonly model: ServiceModel;
  /** The service's error table: every code its operations throw, plus those the codec answers (see `requiredCodes`). */
  readonly errors: AnyErrorTable;
  readonly operations: Operations;
  readonly signingNames: readonly string[];
  readonly logger: Logger;
  /**
   * How a model constraint failure is answered: a code of the table (the message is AWS's "1 validation
   * error detected: …"), or a function for services that answer otherwise (SQS's MissingParameter).
   * Default: `ValidationException` for JSON services, `ValidationError` for Query-only ones.
   */
  readonly validationError?: string | ((violations: readonly Violation[], protocol: Protocol) => UnkaiError);
  /**
   * The awsQuery code of an IAM denial (`not-authorized`) when the service names it otherwise than
   * `AccessDenied`: SNS answers `AuthorizationError`. The table must hold it.
   */
  readonly notAuthorizedCode?: string;
  /** Code for a body that is not JSON/CBOR or has a value of the wrong type. Default `SerializationException` (JSON/CBOR), the validation code on awsQuery. */
  readonly serializationError?: string;
  /**
   * Operation → the IAM permissions it needs, from its decoded (not yet validated) input and the request
   * (its caller: STS AssumeRole asks more of a session with transitive tags); becomes
   * `Service.authorize` (CONTRIBUTING.md, "Map a service's operations to IAM actions"). When given, every
   * operation in `operations` must have an entry, or the service refuses to build.
   */
  readonly authorization?: Readonly<Record<string, (input: Record<string, unknown>, request: UnkaiRequest) => readonly ActionRequest[]>>;
}

/**
 * The awsQuery codes the codec answers with itself. They are not COMMON_ERRORS (JSON services never
 * answer them), so instead of the catalogue test's scan, `modelService` checks at construction that
 * the service's table has every code it may answer (`requiredCodes`).
 */
const QUERY_CODES = { missingAction: "MissingAction", invalidAction: "InvalidAction", internal: "InternalFailure" } as const;

const QUERY_AUTH_CODES: Record<string, string> = {
  unsigned: "MissingAuthenticationToken", malformed: "IncompleteSignature", "unknown-key": "InvalidClientTokenId", "foreign-host": "AccessDenied", "foreign-origin": "AccessDenied",
  "not-authorized": "AccessDenied",
};

/** The codes the codec itself answers with on `protocols`; modelService refuses to start without them in the table. */
export function requiredCodes(protocols: readonly Protocol[], validationCode: string, serializationCode: string): string[] {
  const codes = [validationCode];
  if (protocols.some((p) => p !== "awsQuery")) codes.push("UnknownOperationException", serializationCode, "ServiceException");
  if (protocols.includes("awsQuery")) codes.push(...Object.values(QUERY_CODES), ...new Set(Object.values(QUERY_AUTH_CODES)), "SignatureDoesNotMatch");
  return codes;
}

const PARAMETER_CODES = { missing: "MissingParameter", invalid: "InvalidParameterValue" } as const;

/**
 * The older Query services' answer to a model violation (SQS, and CloudWatch on Query): `MissingParameter`
 * "The request must contain the parameter QueueName." or `InvalidParameterValue` "Value X for parameter
 * Y is invalid. Reason: …". Pass it as `validationError`; the service's table must hold both codes.
 */
export function queryParameterError(violations: readonly Violation[]): UnkaiError {
  const first = violations[0];
  if (first?.kind === "required") return new UnkaiError(PARAMETER_CODES.missing, `The request must contain the parameter ${first.member}.`);
  const value = first?.value.replace(/^'|'$/g, "") ?? "";
  return new UnkaiError(PARAMETER_CODES.invalid, `Value ${value} for parameter ${first?.member ?? "?"} is invalid. Reason: ${first?.constraint ?? "invalid"}.`);
}

export function modelService(options: ModelServiceOptions): Service {
  const { model, errors, operations, logger } = options;
  const protocols = protocolsOf(model);
  const queryOnly = !protocols.some((p) => p !== "awsQuery");
  const validationCode = typeof options.validationError === "string" ? options.validationError : queryOnly ? "ValidationError" : "ValidationException";
  const serializationCode = options.serializationError ?? "SerializationException";
  const missing = requiredCodes(protocols, validationCode, serializationCode).filter((code) => specOf(errors, code) === undefined);
  if (missing.length > 0) throw new Error(`${options.name}'s error table lacks ${missing.join(", ")}, which the ${protocols.join("/")} codec answers with`);
  const fallback: Protocol = protocols[0] ?? "awsJson1_0";
  const cborPath = cborPathPrefix(model);
  /** `<targetPrefix>.` when the service speaks an awsJson wire: every request asks each service whether it is its own. */
  const targetPrefix = model.metadata.targetPrefix !== undefined && protocols.some((p) => p.startsWith("awsJson")) ? `${model.metadata.targetPrefix}.` : undefined;

  const render = (protocol: Protocol, error: UnkaiError, requestId: string): UnkaiResponse => {
    const internal = protocol === "awsQuery" ? QUERY_CODES.internal : "ServiceException";
    const spec = specOf(errors, error.code);
    if (!spec) logger.error({ code: error.code }, "an operation threw a code its service's error table lacks");
    const answered = spec ? error : new UnkaiError(internal, "Unkai hit an internal error; the details are in Unkai's own log.");
    return errorResponse(protocol, model, { code: answered.code, message: answered.message, extra: answered.extra, messageKey: answered.messageKey, spec: spec ?? specOf(errors, internal) ?? { status: 500, messageKey: "message", userType: false } }, requestId);
  };

  const invalid = (violations: readonly Violation[], protocol: Protocol): UnkaiError =>
    typeof options.validationError === "function" ? options.validationError(violations, protocol) : new UnkaiError(validationCode as never, new InvalidInput(violations).message);

  function resolve(address: Addressed): { protocol: Protocol; operation: OperationModel; decode: (request: UnkaiRequest) => Record<string, unknown> } {
    if (address.protocol === "awsQuery") {
      const action = address.params.get("Action");
      if (action === undefined) throw new UnkaiError(QUERY_CODES.missingAction, `The request must name an Action, such as Action=${Object.keys(operations)[0] ?? "…"}&Version=${model.metadata.apiVersion}.`);
      const version = address.params.get("Version") ?? "NO_VERSION_SPECIFIED";
      const operation = model.operations[action];
      if (!operation || version !== model.metadata.apiVersion || !operations[action]) {
        const unimplemented = operation && version === model.metadata.apiVersion ? ` (Unkai's ${model.metadata.serviceId} does not implement it yet)` : "";
        throw new UnkaiError(QUERY_CODES.invalidAction, `Could not find operation ${action} for version ${version}${unimplemented}`);
      }
      return { protocol: "awsQuery", operation, decode: () => decodeQueryInput(model, operation, address.params) };
    }
    const operation = model.operations[address.operation];
    if (!operation || !operations[address.operation]) {
      throw new UnkaiError("UnknownOperationException", `${model.metadata.serviceId} operation ${address.operation} is not supported by Unkai.`);
    }
    return { protocol: address.protocol, operation, decode: (request) => decodeRpcInput(model, address.protocol, operation, request.body) };
  }

  /**
   * Inputs `authorize` decoded, by the body they came from: `run` takes the one of its request instead of
   * decoding the same body again (every request of a function's or an IAM user's credentials is
   * authorized first). A body is a fresh buffer per request; an empty one may be shared and is never a key.
   */
  const authorizedInputs = new WeakMap<Buffer, Record<string, unknown>>();

  async function run(request: UnkaiRequest, address: Addressed, body: Buffer | undefined): Promise<UnkaiResponse> {
    const { protocol, operation, decode } = resolve(address);
    let input: Record<string, unknown>;
    try {
      const authorized = body === undefined ? undefined : authorizedInputs.get(body);
      if (authorized !== undefined && body !== undefined) authorizedInputs.delete(body);
      input = authorized ?? decode(request);
    } catch (error) {
      if (!(error instanceof MalformedInput)) throw error;
      throw new UnkaiError((protocol === "awsQuery" ? validationCode : serializationCode) as never, error.message);
    }
    const violations = validate(model, operation.input, input);
    if (violations.length > 0) throw invalid(violations, protocol);
    const implementation = operations[operation.name] as Operation;
    const ctx: OperationContext = { request, caller: request.caller, protocol, operation: operation.name, requestId: request.requestId };
    const output = await implementation(input, ctx);
    if (output instanceof EventStreamOutput) return eventStreamResponse(model, operation, output, protocol);
    return outputResponse(protocol, model, operation, output ?? undefined, request.requestId);
  }

  const { authorization } = options;
  const unmapped = authorization ? Object.keys(operations).filter((name) => authorization[name] === undefined) : [];
  if (unmapped.length > 0) throw new Error(`${options.name} operations without an IAM action in its authorization table: ${unmapped.join(", ")}`);

  /** The permissions a request needs; none for a request naming no operation (the codec refuses it) or input that does not decode. */
  function authorize(compressed: UnkaiRequest): readonly ActionRequest[] {
    let request: UnkaiRequest;
    try {
      request = decodedRequest(compressed);
    } catch {
      return []; // handle() refuses the body in the service's words
    }
    const address = addressOf(model, request);
    const name = address === undefined ? undefined : address.protocol === "awsQuery" ? address.params.get("Action") : address.operation;
    const resolver = name === undefined ? undefined : authorization?.[name];
    const operation = name === undefined ? undefined : model.operations[name];
    if (!address || !resolver || !operation) return [];
    let input: Record<string, unknown> = {};
    try {
      input = address.protocol === "awsQuery" ? decodeQueryInput(model, operation, address.params) : decodeRpcInput(model, address.protocol, operation, request.body);
      if (compressed.body !== undefined && compressed.body.length > 0) authorizedInputs.set(compressed.body, input);
    } catch {
      // Malformed input: name what can be named; the operation refuses the request with the codec's error.
    }
    return resolver(input, request);
  }

  return {
    name: options.name,
    signingNames: options.signingNames,
    ...(authorization ? { authorize } : {}),
    matches(request) {
      const target = request.headers["x-amz-target"];
      // The RPC wires are POST only, as on AWS.
      if (target !== undefined) return request.method === "POST" && targetPrefix !== undefined && target.startsWith(targetPrefix);
      if (cborPath && protocols.includes("rpcv2Cbor") && request.path.startsWith(cborPath)) return request.method === "POST";
      if (!protocols.includes("awsQuery")) return false;
      if (request.caller.service !== undefined && options.signingNames.includes(request.caller.service)) return true;
      // An unsigned or mis-signed query naming an Action (and Version, if given) of this model, so the refusal is
      // in this service's words. (A POST body's Action is not read yet: such requests are claimed by the signing scope.)
      const action = request.query.get("Action");
      const version = request.query.get("Version");
      return action !== null && model.operations[action] !== undefined && (version === null || version === model.metadata.apiVersion);
    },
    rejectUnauthenticated(error: AuthRefusal, request: UnkaiRequest) {
      const protocol = addressOf(model, request)?.protocol ?? fallback;
      const queryCode = error.reason === "not-authorized" && options.notAuthorizedCode !== undefined ? options.notAuthorizedCode : QUERY_AUTH_CODES[error.reason];
      const code = protocol === "awsQuery" ? (queryCode ?? "SignatureDoesNotMatch") : error.code;
      const message = error.reason === "unsigned" && protocol === "awsQuery" ? "Request is missing Authentication Token" : error.message;
      return render(protocol, new UnkaiError(code as never, message), request.requestId);
    },
    async handle(compressed) {
      let request = compressed;
      let address = addressOf(model, request);
      let protocol = address?.protocol ?? fallback;
      try {
        try {
          request = decodedRequest(compressed);
        } catch (error) {
          if (!(error instanceof MalformedInput)) throw error;
          throw new UnkaiError((protocol === "awsQuery" ? validationCode : serializationCode) as never, error.message);
        }
        // Only a body that was inflated can address the request otherwise (a Query action in a form body).
        if (request !== compressed) address = addressOf(model, request);
        protocol = address?.protocol ?? protocol;
        if (!address) throw new UnkaiError("UnknownOperationException", `The request names no ${model.metadata.serviceId} operation.`);
        return await run(request, address, compressed.body);
      } catch (error) {
        if (error instanceof UnkaiError) return render(protocol, error, request.requestId);
        logger.error({ err: error }, `internal error in the ${options.name} API`);
        const internal = protocol === "awsQuery" ? QUERY_CODES.internal : "ServiceException";
        return render(protocol, new UnkaiError(internal, "Unkai hit an internal error; the details are in Unkai's own log."), request.requestId);
      }
    },
  };
}

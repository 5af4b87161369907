/**
 * AWS service models as data (models/<service>.json, see models/README.md): the operations and shapes
 * every protocol codec decodes, validates and encodes from. Loaded once per service and cached.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The AWS protocols Unkai speaks (Smithy's names). */
/** `awsCbor1_1`: an awsJson1_1 service's operations in AWS's CBOR 1.1 (`application/x-amz-cbor-1.1`), which the Java SDKs send to Kinesis. */
export type Protocol = "awsJson1_0" | "awsJson1_1" | "awsCbor1_1" | "awsQuery" | "rpcv2Cbor" | "restJson1" | "restXml";

/** A reference to a shape, with the traits a member or list/map element adds. */
export interface ShapeRef {
  readonly shape: string;
  /** The member's name on the wire (query parameter / XML element) when it differs. */
  readonly locationName?: string;
  readonly flattened?: boolean;
  readonly jsonvalue?: boolean;
  readonly timestampFormat?: string;
  /** restJson/restXml bindings (header, querystring, uri…); unused by the RPC codecs. */
  readonly location?: string;
}

export interface Shape {
  readonly type: "structure" | "list" | "map" | "string" | "integer" | "long" | "float" | "double" | "boolean" | "timestamp" | "blob" | "bigdecimal" | "biginteger" | "byte" | "short";
  readonly members?: Readonly<Record<string, ShapeRef>>;
  readonly required?: readonly string[];
  readonly member?: ShapeRef;
  readonly key?: ShapeRef;
  readonly value?: ShapeRef;
  readonly flattened?: boolean;
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly timestampFormat?: string;
  readonly document?: boolean;
  readonly union?: boolean;
  readonly exception?: boolean;
  /** An error's query code (`awsQueryError`), status and fault. */
  readonly error?: { readonly code?: string; readonly httpStatusCode?: number; readonly senderFault?: boolean };
}

export interface OperationModel {
  readonly name: string;
  readonly input?: ShapeRef;
  readonly output?: ShapeRef & { readonly resultWrapper?: string };
  readonly errors?: readonly ShapeRef[];
  /** restJson/restXml: the method and path template (`/schedules/{Name}`) that name the operation. */
  readonly http?: { readonly method: string; readonly requestUri: string; readonly responseCode?: number };
}

export interface ServiceModel {
  readonly metadata: {
    readonly apiVersion: string;
    readonly protocols: readonly string[];
    readonly targetPrefix?: string;
    readonly jsonVersion?: string;
    readonly xmlNamespace?: string;
    readonly awsQueryCompatible?: object;
    readonly serviceId: string;
  };
  readonly operations: Readonly<Record<string, OperationModel>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

const MODELS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "models");
const cache = new Map<string, ServiceModel>();

/** The model of `service` (its file name under models/, the SigV4 signing name: "sqs", "monitoring"…). */
export function loadModel(service: string): ServiceModel {
  let model = cache.get(service);
  if (!model) {
    if (!/^[a-z0-9-]+$/.test(service)) throw new Error(`not a model name: ${service}`);
    model = JSON.parse(readFileSync(join(MODELS_DIR, `${service}.json`), "utf8")) as ServiceModel;
    cache.set(service, model);
  }
  return model;
}

/** Each model's protocols, worked out once: every request a model-built service claims asks. */
const PROTOCOLS = new WeakMap<ServiceModel, readonly Protocol[]>();

/** The protocols the model lists, in Smithy's names, most preferred first. */
export function protocolsOf(model: ServiceModel): readonly Protocol[] {
  let protocols = PROTOCOLS.get(model);
  if (protocols === undefined) {
    const json: Protocol = model.metadata.jsonVersion === "1.1" ? "awsJson1_1" : "awsJson1_0";
    const names: Record<string, Protocol> = { json, query: "awsQuery", "smithy-rpc-v2-cbor": "rpcv2Cbor", "rest-json": "restJson1", "rest-xml": "restXml" };
    protocols = model.metadata.protocols.flatMap((p) => (names[p] ? [names[p]] : []));
    PROTOCOLS.set(model, protocols);
  }
  return protocols;
}

const memberLists = new WeakMap<Shape, readonly (readonly [string, ShapeRef])[]>();

/** A structure's members as [name, ref] pairs, listed once per shape: the codecs walk them on every request. */
export function membersOf(shape: Shape): readonly (readonly [string, ShapeRef])[] {
  let members = memberLists.get(shape);
  if (members === undefined) {
    members = Object.entries(shape.members ?? {});
    memberLists.set(shape, members);
  }
  return members;
}

/** The shape a reference names; a model that names a missing shape is a broken file, not bad input. */
export function shapeOf(model: ServiceModel, ref: ShapeRef): Shape {
  const shape = model.shapes[ref.shape];
  if (!shape) throw new Error(`model ${model.metadata.serviceId} has no shape ${ref.shape}`);
  return shape;
}

/** The code an error carries on awsQuery and in `x-amzn-query-error`: the model's `awsQueryError` code, else the code itself. */
export function queryErrorCode(model: ServiceModel, code: string): string {
  // IAM's denial is no model shape: Query clients know it as AccessDenied (what SQS's Query protocol answers).
  return model.shapes[code]?.error?.code ?? (code === "AccessDeniedException" ? "AccessDenied" : code);
}

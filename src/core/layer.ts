/** Layers: versioned zips whose content a function sees under /opt, merged in order. */
import { invalidParameter } from "./errors.js";

export interface LayerVersionRecord {
  readonly layerName: string;
  readonly version: number;
  readonly description: string;
  readonly codeSha256: string;
  readonly codeSize: number;
  readonly unzippedSize: number;
  readonly compatibleRuntimes: readonly string[];
  readonly compatibleArchitectures: readonly string[];
  readonly licenseInfo: string | undefined;
  /** ISO time, as CreatedDate. */
  readonly createdDate: string;
  /** The version's resource-based policy (AddLayerVersionPermission); absent until a statement is added. */
  readonly policy?: LayerVersionPolicy | undefined;
}

/** Who may use a layer version besides its own account: statements as GetLayerVersionPolicy returns them. */
export interface LayerVersionPolicy {
  readonly statements: readonly LayerPolicyStatement[];
  /** Changes with every change of the statements (the RevisionId of the policy operations). */
  readonly revisionId: string;
}

export interface LayerPolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal: string | Readonly<Record<string, string>>;
  readonly Action: "lambda:GetLayerVersion";
  readonly Resource: string;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const LAYER_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const LAYER_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:([a-zA-Z0-9-_]{1,64})$/;
const LAYER_VERSION_ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]{1,64}):([0-9]+)$/;

export const MAX_LAYERS = 5;

export function validateLayerName(name: string): void {
  if (!LAYER_NAME.test(name)) throw invalidParameter(`Layer name '${name}' is invalid: use 1 to 64 letters, digits, hyphens or underscores.`);
}

/** The name in a layer's ARN (without a version), or the text itself: not checked (authorization names what it was given). */
export function layerNameIn(nameOrArn: string): string {
  return LAYER_ARN.exec(nameOrArn)?.[1] ?? nameOrArn;
}

/** A layer named as the API allows: by name, or by its ARN (the layer's, without a version). */
export function layerNameOf(nameOrArn: string): string {
  const name = layerNameIn(nameOrArn);
  validateLayerName(name);
  return name;
}

/** Splits a layer version ARN, or says what a valid one looks like. */
export function parseLayerVersionArn(arn: string): { layerName: string; version: number } {
  const match = LAYER_VERSION_ARN.exec(arn);
  if (!match) {
    throw invalidParameter(`Layer '${arn}' is not a layer version ARN such as arn:aws:lambda:us-east-1:123456789012:layer:my-layer:1.`);
  }
  return { layerName: match[3] ?? "", version: Number(match[4]) };
}

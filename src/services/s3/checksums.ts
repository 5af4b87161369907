/**
 * S3's additional checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256): computing them while a body
 * streams, and the object's checksum as it is kept and answered. An object's checksum is kept among
 * its stored headers (`x-amz-checksum-<algorithm>` and `x-amz-checksum-type`, the headers GET answers
 * with under `x-amz-checksum-mode: ENABLED`), so it needs no column of its own; GET leaves them out
 * unless asked.
 */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { crc32 } from "node:zlib";
import { crc32c, Crc64Nvme } from "./crc.js";
import { S3Error } from "./errors.js";

export type ChecksumAlgorithm = "crc32" | "crc32c" | "crc64nvme" | "sha1" | "sha256";
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"];
export type ChecksumType = "FULL_OBJECT" | "COMPOSITE";

/** The checksum S3 adds to an object uploaded without one. */
export const DEFAULT_ALGORITHM: ChecksumAlgorithm = "crc64nvme";

export interface ObjectChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Base64; a composite one ends in `-<parts>`. */
  readonly value: string;
  readonly type: ChecksumType;
}

const TYPE_HEADER = "x-amz-checksum-type";
const PREFIX = "x-amz-checksum-";

/** A running checksum of one algorithm. */
export class RunningChecksum {
  private crc = 0;
  private readonly hash: Hash | undefined;
  private readonly crc64: Crc64Nvme | undefined;
  constructor(readonly algorithm: ChecksumAlgorithm) {
    this.hash = algorithm === "sha1" || algorithm === "sha256" ? createHash(algorithm) : undefined;
    this.crc64 = algorithm === "crc64nvme" ? new Crc64Nvme() : undefined;
  }
  update(data: Buffer): void {
    if (this.hash) this.hash.update(data);
    else if (this.crc64) this.crc64.update(data);
    else this.crc = this.algorithm === "crc32" ? crc32(data, this.crc) : crc32c(data, this.crc);
  }
  /** The raw digest (once: a hash cannot be digested twice). */
  digest(): Buffer {
    if (this.hash) return this.hash.digest();
    if (this.crc64) return this.crc64.digest();
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc >>> 0);
    return out;
  }
}

/** Passes bytes through unchanged, adding them to a checksum (one checksum may span several streams). */
export class ChecksumThrough extends Transform {
  constructor(readonly checksum: RunningChecksum) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.checksum.update(chunk);
    callback(null, chunk);
  }
}

/** An algorithm as a request names it (`CRC32`, `CRC64NVME`, …); `argument` names where, for the error. */
export function parseAlgorithm(text: string | undefined, argument: string): ChecksumAlgorithm | undefined {
  if (text === undefined || text === "") return undefined;
  const algorithm = CHECKSUM_ALGORITHMS.find((a) => a === text.trim().toLowerCase());
  if (!algorithm) throw new S3Error("InvalidRequest", `Value for ${argument} header is invalid.`, undefined, { ArgumentName: argument, ArgumentValue: text });
  return algorithm;
}

/** The checksum type a multipart upload uses, checked against what the algorithm supports (S3's table). */
export function uploadChecksumType(algorithm: ChecksumAlgorithm, requested: string | undefined): ChecksumType {
  const fullOnly = algorithm === "crc64nvme";
  const compositeOnly = algorithm === "sha1" || algorithm === "sha256";
  const type = requested === undefined || requested === "" ? (fullOnly ? "FULL_OBJECT" : "COMPOSITE") : requested.toUpperCase();
  if (type !== "FULL_OBJECT" && type !== "COMPOSITE") {
    throw new S3Error("InvalidRequest", "Value for x-amz-checksum-type header is invalid.", undefined, { ArgumentName: "x-amz-checksum-type", ArgumentValue: requested ?? "" });
  }
  if ((fullOnly && type === "COMPOSITE") || (compositeOnly && type === "FULL_OBJECT")) {
    throw new S3Error("InvalidRequest", `The ${type} checksum type cannot be used with the ${algorithm} checksum algorithm.`);
  }
  return type;
}

/** The headers that keep (and answer) a checksum. */
export function checksumHeaders(checksum: ObjectChecksum | undefined): Record<string, string> {
  return checksum ? { [`${PREFIX}${checksum.algorithm}`]: checksum.value, [TYPE_HEADER]: checksum.type } : {};
}

/** The checksum kept among an object's stored headers, if it has one (objects from before checksums do not). */
export function storedChecksum(headers: Readonly<Record<string, string>>): ObjectChecksum | undefined {
  const type = headers[TYPE_HEADER];
  if (type !== "FULL_OBJECT" && type !== "COMPOSITE") return undefined;
  const algorithm = CHECKSUM_ALGORITHMS.find((a) => headers[`${PREFIX}${a}`] !== undefined);
  return algorithm ? { algorithm, value: headers[`${PREFIX}${algorithm}`]!, type } : undefined;
}

/** Whether a stored header is part of the checksum (answered only under `x-amz-checksum-mode: ENABLED`). */
export const isChecksumHeader = (name: string): boolean => name.startsWith(PREFIX);

/** The checksum as S3's XML answers name it: `ChecksumCRC32` …, with `ChecksumType` when asked for. */
export function checksumXml(checksum: ObjectChecksum | undefined, withType = true): Record<string, string> {
  if (!checksum) return {};
  const name = `Checksum${checksum.algorithm.toUpperCase()}`;
  return withType ? { [name]: checksum.value, ChecksumType: checksum.type } : { [name]: checksum.value };
}

/** How listings name an object's checksum: its algorithm and type, not the value. */
export function listedChecksum(headers: Readonly<Record<string, string>>): Record<string, string> {
  const checksum = storedChecksum(headers);
  return checksum ? { ChecksumAlgorithm: checksum.algorithm.toUpperCase(), ChecksumType: checksum.type } : {};
}

/** A composite checksum: the checksum of the parts' raw checksums one after the other, then `-<parts>`. */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partValues: readonly string[]): string {
  const running = new RunningChecksum(algorithm);
  for (const value of partValues) running.update(Buffer.from(value, "base64"));
  return `${running.digest().toString("base64")}-${partValues.length}`;
}

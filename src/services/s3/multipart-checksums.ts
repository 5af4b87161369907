/**
 * Checksums of multipart uploads. CreateMultipartUpload picks the algorithm (`x-amz-checksum-algorithm`;
 * S3's default CRC64NVME when none) and the type (`x-amz-checksum-type`: COMPOSITE, the checksum of the
 * parts' checksums with `-<parts>` after it, or FULL_OBJECT, the checksum of the whole body). The choice
 * is kept among the upload's stored headers; each part keeps its own checksum; Complete combines them.
 */
import type { UnkaiRequest } from "../../protocol/http.js";
import type { PartRecord, UploadRecord } from "../../store/ports.js";
import { CHECKSUM_ALGORITHMS, compositeChecksum, DEFAULT_ALGORITHM, parseAlgorithm, uploadChecksumType, type ChecksumAlgorithm, type ChecksumType, type ObjectChecksum } from "./checksums.js";
import { S3Error } from "./errors.js";
import { announcedChecksum } from "./payload.js";
import { text } from "./xml.js";

const ALGORITHM_HEADER = "x-amz-checksum-algorithm";
const TYPE_HEADER = "x-amz-checksum-type";

export interface UploadChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly type: ChecksumType;
  /** Whether the client chose it (parts must then use it), rather than S3's default. */
  readonly chosen: boolean;
}

/** CreateMultipartUpload's choice, as headers to keep with the upload (and to answer with). */
export function chosenUploadChecksum(request: UnkaiRequest): Record<string, string> {
  const algorithm = parseAlgorithm(request.headers[ALGORITHM_HEADER], ALGORITHM_HEADER);
  if (algorithm === undefined) {
    if (request.headers[TYPE_HEADER] !== undefined) throw new S3Error("InvalidRequest", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
    return {};
  }
  return { [ALGORITHM_HEADER]: algorithm.toUpperCase(), [TYPE_HEADER]: uploadChecksumType(algorithm, request.headers[TYPE_HEADER]) };
}

/** The checksum an upload's object gets. */
export function uploadChecksum(upload: UploadRecord): UploadChecksum {
  const algorithm = CHECKSUM_ALGORITHMS.find((a) => a === upload.headers[ALGORITHM_HEADER]?.toLowerCase());
  if (!algorithm) return { algorithm: DEFAULT_ALGORITHM, type: "FULL_OBJECT", chosen: false };
  return { algorithm, type: upload.headers[TYPE_HEADER] === "FULL_OBJECT" ? "FULL_OBJECT" : "COMPOSITE", chosen: true };
}

/** The headers CreateMultipartUpload answers with. */
export function uploadChecksumHeaders(checksum: UploadChecksum): Record<string, string> {
  return checksum.chosen ? { [ALGORITHM_HEADER]: checksum.algorithm.toUpperCase(), [TYPE_HEADER]: checksum.type } : {};
}

/** A part sent with another algorithm than the upload chose is refused, as S3 does. */
export function checkPartAlgorithm(request: UnkaiRequest, checksum: UploadChecksum): void {
  if (!checksum.chosen) return;
  const sent = announcedChecksum(request);
  if (sent !== undefined && sent !== checksum.algorithm) {
    throw new S3Error("InvalidRequest", `Checksum Type mismatch occurred, expected checksum Type: ${checksum.algorithm}, actual checksum Type: ${sent}`);
  }
}

/** A part's checksum named in the Complete request must be the one it was uploaded with. */
export function partChecksumMatches(entry: Record<string, unknown>, part: PartRecord): boolean {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const named = entry[`Checksum${algorithm.toUpperCase()}`];
    if (named === undefined) continue;
    if (part.checksum?.algorithm !== algorithm || part.checksum.value !== text(named)) return false;
  }
  return true;
}

/**
 * The object's checksum once its parts are chosen: a composite one from the parts' checksums (none
 * when a part has none: parts from before checksums were kept), else the whole body's as assembled.
 */
export function completedChecksum(checksum: UploadChecksum, parts: readonly PartRecord[], wholeBody: string): ObjectChecksum | undefined {
  if (checksum.type === "FULL_OBJECT") return { algorithm: checksum.algorithm, value: wholeBody, type: "FULL_OBJECT" };
  const values = parts.map((part) => (part.checksum?.algorithm === checksum.algorithm ? part.checksum.value : undefined));
  if (values.some((value) => value === undefined)) return undefined;
  return { algorithm: checksum.algorithm, value: compositeChecksum(checksum.algorithm, values as string[]), type: "COMPOSITE" };
}

/** The parts' checksums the object keeps (GetObjectAttributes lists them), when every part has one of the object's algorithm. */
export function keptPartChecksums(checksum: ObjectChecksum | undefined, parts: readonly PartRecord[]): { partChecksums?: string[] } {
  const values = parts.map((part) => (part.checksum?.algorithm === checksum?.algorithm ? part.checksum?.value : undefined));
  return checksum && values.every((value) => value !== undefined) ? { partChecksums: values } : {};
}

/** A full-object checksum the Complete request sent (`x-amz-checksum-<algorithm>`) must match the body's. */
export function checkCompleteChecksum(request: UnkaiRequest, checksum: ObjectChecksum | undefined): void {
  if (checksum?.type !== "FULL_OBJECT") return;
  const sent = request.headers[`x-amz-checksum-${checksum.algorithm}`];
  if (sent !== undefined && sent !== checksum.value) {
    throw new S3Error("BadDigest", `The ${checksum.algorithm.toUpperCase()} you specified for the full object did not match what was computed.`);
  }
}

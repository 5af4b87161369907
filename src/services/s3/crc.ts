/**
 * CRC32C (Castagnoli) and CRC64NVME, the two CRCs S3 checksums use that node:zlib lacks (its crc32 is
 * the ISO-HDLC CRC32). Both are reflected CRCs with all-ones init and final xor, computed eight bytes
 * at a time with slicing-by-8 tables. S3 computes CRC64NVME on every upload that brings no checksum,
 * so it runs over every byte PUT: in WebAssembly (docs/s3.md has the measured rates).
 */

/** Slicing-by-8 tables for a reflected 32-bit CRC: table k maps a byte k positions back. */
function tables32(polynomial: number): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const first = tables[0]!;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ polynomial : c >>> 1;
    first[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    const previous = tables[k - 1]!;
    const table = tables[k]!;
    for (let n = 0; n < 256; n++) table[n] = (previous[n]! >>> 8) ^ first[previous[n]! & 0xff]!;
  }
  return tables;
}

const C32 = tables32(0x82f63b78);

/** Continues a CRC32C (`previous` is the value returned for the bytes before `data`). */
export function crc32c(data: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = C32 as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let crc = ~previous >>> 0;
  let i = 0;
  const whole = data.length - (data.length % 8);
  for (; i < whole; i += 8) {
    const a = crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    crc =
      t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^
      t3[data[i + 4]!]! ^ t2[data[i + 5]!]! ^ t1[data[i + 6]!]! ^ t0[data[i + 7]!]!;
  }
  for (; i < data.length; i++) crc = (crc >>> 8) ^ t0[(crc ^ data[i]!) & 0xff]!;
  return ~crc >>> 0;
}

/** The part of Node's WebAssembly API used here (the project's TypeScript libs leave out its declarations). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
};

/** CRC64NVME's reflected polynomial (0xad93d23594c93659 bit-reversed). */
const CRC64_POLYNOMIAL = 0x9a6c9329ac4bc9b5n;

/**
 * src/services/s3/crc64-nvme.wat compiled (scripts/crc64-wasm.sh prints it; a test checks they match):
 * slicing-by-8 with native 64-bit integers, about three times the rate of the same loop in
 * JavaScript on 32-bit halves (which halved a 64 MB PUT's throughput, docs/s3.md).
 */
export const CRC64_WASM = "AGFzbQEAAAABBwFgAn5/AX4DAgEABQMBAAIHEwIGbWVtb3J5AgAGdXBkYXRlAAAKiAIBhQICA38BfkGAgAEhAkGAgAEgAWohBEGAgAEgAUF4cWohAyAAIQUCQANAIAIgA08NASAFIAIpAwCFIQUgBadB/wFxQQN0KQOAcCAFQgiIp0H/AXFBA3QpA4BghSAFQhCIp0H/AXFBA3QpA4BQhSAFQhiIp0H/AXFBA3QpA4BAhSAFQiCIp0H/AXFBA3QpA4AwhSAFQiiIp0H/AXFBA3QpA4AghSAFQjCIp0H/AXFBA3QpA4AQhSAFQjiIp0H/AXFBA3QpAwCFIQUgAkEIaiECDAALCwJAA0AgAiAETw0BIAVCCIggBacgAi0AAHNB/wFxQQN0KQMAhSEFIAJBAWohAgwACwsgBQs=";
const TABLES_BYTES = 8 * 256 * 8;
/** The most bytes one call adds (the module's second page ends at 131072). */
const CALL_BYTES = 65536;

/** The module, its tables filled once: table k maps a byte k positions back. Calls share it (one thread). */
function crc64Module(): { memory: Uint8Array; update: (crc: bigint, length: number) => bigint } {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(CRC64_WASM, "base64")));
  const exports = instance.exports as { memory: { buffer: ArrayBuffer }; update: (crc: bigint, length: number) => bigint };
  const tables = new BigUint64Array(exports.memory.buffer, 0, TABLES_BYTES / 8);
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let bit = 0; bit < 8; bit++) c = c & 1n ? (c >> 1n) ^ CRC64_POLYNOMIAL : c >> 1n;
    tables[n] = c;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const previous = tables[(k - 1) * 256 + n]!;
      tables[k * 256 + n] = (previous >> 8n) ^ tables[Number(previous & 0xffn)]!;
    }
  }
  return { memory: new Uint8Array(exports.memory.buffer), update: exports.update };
}

let crc64: ReturnType<typeof crc64Module> | undefined;
const ALL_ONES = 0xffffffffffffffffn;

/** A running CRC64NVME; `digest()` is its 8 bytes, big-endian, as S3 encodes it. */
export class Crc64Nvme {
  private crc = ALL_ONES;

  update(data: Uint8Array): void {
    crc64 ??= crc64Module();
    for (let offset = 0; offset < data.length; offset += CALL_BYTES) {
      const piece = data.subarray(offset, offset + CALL_BYTES);
      crc64.memory.set(piece, TABLES_BYTES);
      // i64 crosses into WebAssembly as a signed BigInt.
      this.crc = BigInt.asUintN(64, crc64.update(BigInt.asIntN(64, this.crc), piece.length));
    }
  }

  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeBigUInt64BE(this.crc ^ ALL_ONES);
    return out;
  }
}

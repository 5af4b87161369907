/**
 * CRC32C (Castagnoli) and CRC64NVME, the two CRCs S3 checksums use that node:zlib lacks (its crc32 is
 * the ISO-HDLC CRC32). Both are reflected CRCs with all-ones init and final xor, computed eight bytes
 * at a time with slicing-by-8 tables: S3 computes CRC64NVME on every upload that brings no checksum,
 * so this runs over every byte PUT (docs/s3.md has the measured rate).
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

/**
 * Slicing-by-8 tables for CRC64NVME (reflected polynomial 0x9a6c9329ac4bc9b5), each 64-bit entry as
 * two 32-bit halves: JavaScript has no fast 64-bit integers (BigInt is an order of magnitude slower).
 */
function tables64(): { lo: Uint32Array[]; hi: Uint32Array[] } {
  const lo = Array.from({ length: 8 }, () => new Uint32Array(256));
  const hi = Array.from({ length: 8 }, () => new Uint32Array(256));
  const [polyHi, polyLo] = [0x9a6c9329, 0xac4bc9b5];
  for (let n = 0; n < 256; n++) {
    let l = n;
    let h = 0;
    for (let bit = 0; bit < 8; bit++) {
      const odd = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h >>>= 1;
      if (odd) [l, h] = [(l ^ polyLo) >>> 0, (h ^ polyHi) >>> 0];
    }
    lo[0]![n] = l;
    hi[0]![n] = h;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const [pl, ph] = [lo[k - 1]![n]!, hi[k - 1]![n]!];
      const index = pl & 0xff;
      lo[k]![n] = (((pl >>> 8) | ((ph & 0xff) << 24)) ^ lo[0]![index]!) >>> 0;
      hi[k]![n] = ((ph >>> 8) ^ hi[0]![index]!) >>> 0;
    }
  }
  return { lo, hi };
}

const C64 = tables64();

/** A running CRC64NVME; `digest()` is its 8 bytes, big-endian, as S3 encodes it. */
export class Crc64Nvme {
  private lo = 0xffffffff;
  private hi = 0xffffffff;

  update(data: Uint8Array): void {
    const [l0, l1, l2, l3, l4, l5, l6, l7] = C64.lo as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    const [h0, h1, h2, h3, h4, h5, h6, h7] = C64.hi as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    let lo = this.lo;
    let hi = this.hi;
    let i = 0;
    const whole = data.length - (data.length % 8);
    for (; i < whole; i += 8) {
      const a = lo ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
      const b = hi ^ (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
      const a0 = a & 0xff, a1 = (a >>> 8) & 0xff, a2 = (a >>> 16) & 0xff, a3 = a >>> 24;
      const b0 = b & 0xff, b1 = (b >>> 8) & 0xff, b2 = (b >>> 16) & 0xff, b3 = b >>> 24;
      lo = l7[a0]! ^ l6[a1]! ^ l5[a2]! ^ l4[a3]! ^ l3[b0]! ^ l2[b1]! ^ l1[b2]! ^ l0[b3]!;
      hi = h7[a0]! ^ h6[a1]! ^ h5[a2]! ^ h4[a3]! ^ h3[b0]! ^ h2[b1]! ^ h1[b2]! ^ h0[b3]!;
    }
    for (; i < data.length; i++) {
      const index = (lo ^ data[i]!) & 0xff;
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ l0[index]!;
      hi = (hi >>> 8) ^ h0[index]!;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out;
  }
}

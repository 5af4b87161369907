/**
 * Runs a classic-BPF seccomp program the way the kernel does (for the opcodes Unkai's assembler
 * emits; anything else throws), so a filter can be checked for an architecture this host is not.
 */

export interface SeccompData {
  readonly nr: number;
  readonly arch: number;
  /** Up to six arguments, as 64-bit values. */
  readonly args?: readonly bigint[];
}

function word(data: SeccompData, offset: number): number {
  if (offset === 0) return data.nr >>> 0;
  if (offset === 4) return data.arch >>> 0;
  if (offset >= 16 && offset < 64 && offset % 4 === 0) {
    const arg = data.args?.[Math.floor((offset - 16) / 8)] ?? 0n;
    const half = (offset - 16) % 8 === 0 ? arg & 0xffff_ffffn : (arg >> 32n) & 0xffff_ffffn;
    return Number(half);
  }
  throw new Error(`load from offset ${offset} of seccomp_data`);
}

/** The filter's verdict (SECCOMP_RET_*) for one system call. */
export function runSeccomp(program: Buffer, data: SeccompData): number {
  let a = 0;
  let pc = 0;
  for (let steps = 0; steps < 10_000; steps++) {
    if (pc * 8 >= program.length) throw new Error("ran off the end of the program");
    const code = program.readUInt16LE(pc * 8);
    const jt = program.readUInt8(pc * 8 + 2);
    const jf = program.readUInt8(pc * 8 + 3);
    const k = program.readUInt32LE(pc * 8 + 4);
    pc++;
    switch (code) {
      case 0x20: a = word(data, k); break;
      case 0x54: a = (a & k) >>> 0; break;
      case 0x05: pc += k; break;
      case 0x15: pc += a === k ? jt : jf; break;
      case 0x35: pc += a >= k ? jt : jf; break;
      case 0x45: pc += (a & k) !== 0 ? jt : jf; break;
      case 0x06: return k;
      default: throw new Error(`opcode 0x${code.toString(16)} at ${pc - 1}`);
    }
  }
  throw new Error("no verdict");
}

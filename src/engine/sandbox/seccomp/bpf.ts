/**
 * A tiny assembler for classic BPF as seccomp runs it: instructions with symbolic forward jumps,
 * encoded as the kernel's `struct sock_filter` array (u16 code, u8 jt, u8 jf, u32 k; 8 bytes each,
 * host byte order — little-endian on both architectures Unkai supports).
 */

// Opcodes (linux/bpf_common.h): class | size | mode, class | op | source.
const BPF_LD_W_ABS = 0x00 | 0x00 | 0x20;
const BPF_ALU_AND_K = 0x04 | 0x50 | 0x00;
const BPF_JMP_JA = 0x05 | 0x00;
const BPF_JMP_JEQ_K = 0x05 | 0x10 | 0x00;
const BPF_JMP_JGE_K = 0x05 | 0x30 | 0x00;
const BPF_JMP_JSET_K = 0x05 | 0x40 | 0x00;
const BPF_RET_K = 0x06 | 0x00;

/** The kernel refuses longer programs (BPF_MAXINSNS). */
const MAX_INSTRUCTIONS = 4096;

/** Where a conditional jump goes: a label, or `next` (the following instruction). */
export type Target = string;
export const NEXT: Target = "";

export type Instruction =
  | { readonly op: "label"; readonly name: string }
  | { readonly op: "load"; readonly offset: number }
  | { readonly op: "and"; readonly value: number }
  | { readonly op: "jeq" | "jge" | "jset"; readonly value: number; readonly then: Target; readonly otherwise: Target }
  | { readonly op: "jump"; readonly to: Target }
  | { readonly op: "return"; readonly value: number };

export const label = (name: string): Instruction => ({ op: "label", name });
/** A = the 32-bit word at `offset` of struct seccomp_data. */
export const load = (offset: number): Instruction => ({ op: "load", offset });
export const and = (value: number): Instruction => ({ op: "and", value });
export const jeq = (value: number, then: Target, otherwise: Target = NEXT): Instruction => ({ op: "jeq", value, then, otherwise });
export const jge = (value: number, then: Target, otherwise: Target = NEXT): Instruction => ({ op: "jge", value, then, otherwise });
/** Jumps to `then` when A & value is not zero. */
export const jset = (value: number, then: Target, otherwise: Target = NEXT): Instruction => ({ op: "jset", value, then, otherwise });
export const jump = (to: Target): Instruction => ({ op: "jump", to });
export const ret = (value: number): Instruction => ({ op: "return", value });

/** Encodes `program`; throws on an unknown or backward label, or a jump too far for 8 bits. */
export function assemble(program: readonly Instruction[]): Buffer {
  const code = program.filter((i) => i.op !== "label");
  if (code.length > MAX_INSTRUCTIONS) throw new Error(`a seccomp program has at most ${MAX_INSTRUCTIONS} instructions, this one ${code.length}`);
  const labels = new Map<string, number>();
  let index = 0;
  for (const instruction of program) {
    if (instruction.op !== "label") index++;
    else if (labels.has(instruction.name)) throw new Error(`label '${instruction.name}' defined twice`);
    else labels.set(instruction.name, index);
  }
  const out = Buffer.alloc(code.length * 8);
  code.forEach((instruction, at) => {
    const offset = (target: Target, max: number) => {
      if (target === NEXT) return 0;
      const to = labels.get(target);
      if (to === undefined) throw new Error(`unknown label '${target}'`);
      const distance = to - at - 1;
      if (distance < 0) throw new Error(`jump to '${target}' goes backwards (classic BPF jumps forward only)`);
      if (distance > max) throw new Error(`jump to '${target}' is ${distance} instructions away (at most ${max})`);
      return distance;
    };
    const [op, jt, jf, k] = encode(instruction, offset);
    out.writeUInt16LE(op, at * 8);
    out.writeUInt8(jt, at * 8 + 2);
    out.writeUInt8(jf, at * 8 + 3);
    out.writeUInt32LE(k >>> 0, at * 8 + 4);
  });
  return out;
}

function encode(i: Exclude<Instruction, { op: "label" }>, offset: (target: Target, max: number) => number): [number, number, number, number] {
  switch (i.op) {
    case "load":
      return [BPF_LD_W_ABS, 0, 0, i.offset];
    case "and":
      return [BPF_ALU_AND_K, 0, 0, i.value];
    case "jeq":
      return [BPF_JMP_JEQ_K, offset(i.then, 255), offset(i.otherwise, 255), i.value];
    case "jge":
      return [BPF_JMP_JGE_K, offset(i.then, 255), offset(i.otherwise, 255), i.value];
    case "jset":
      return [BPF_JMP_JSET_K, offset(i.then, 255), offset(i.otherwise, 255), i.value];
    case "jump":
      return [BPF_JMP_JA, 0, 0, offset(i.to, 0xffff_ffff)];
    case "return":
      return [BPF_RET_K, 0, 0, i.value];
  }
}

/**
 * Length-prefixed frames for the fd-3 channel: u32 BE header length, u32 BE body length,
 * a JSON header, raw body bytes (docs/adr/0004-framed-channel.md).
 */

export interface Frame {
  readonly header: Record<string, unknown>;
  readonly body: Buffer;
}

export function encodeFrame(header: Record<string, unknown>, body: Buffer): Buffer {
  const headerBytes = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.allocUnsafe(8);
  prefix.writeUInt32BE(headerBytes.length, 0);
  prefix.writeUInt32BE(body.length, 4);
  return Buffer.concat([prefix, headerBytes, body]);
}

/** Reassembles frames from stream chunks; refuses frames larger than `maxFrameBytes`. */
export class FrameReader {
  private buffered: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds a chunk and returns the frames it completed; throws on a malformed or oversized frame. */
  push(chunk: Buffer): Frame[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.size < 8) break;
      const data = this.flatten();
      const headerLength = data.readUInt32BE(0);
      const bodyLength = data.readUInt32BE(4);
      if (headerLength + bodyLength > this.maxFrameBytes) throw new FrameTooLarge(headerLength, bodyLength);
      const total = 8 + headerLength + bodyLength;
      if (data.length < total) break;
      const header = JSON.parse(data.toString("utf8", 8, 8 + headerLength)) as Record<string, unknown>;
      frames.push({ header, body: data.subarray(8 + headerLength, total) });
      this.buffered = data.length > total ? [data.subarray(total)] : [];
      this.size = data.length - total;
    }
    return frames;
  }

  private flatten(): Buffer {
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered)];
    return this.buffered[0] ?? Buffer.alloc(0);
  }
}

export class FrameTooLarge extends Error {
  constructor(readonly headerLength: number, readonly bodyLength: number) {
    super(`frame of ${headerLength + bodyLength} bytes is over the limit`);
  }
}

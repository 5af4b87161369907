/**
 * Length-prefixed frames for the fd-3 channel: u32 BE header length, u32 BE body length,
 * a JSON header, raw body bytes (docs/adr/0004-framed-channel.md).
 */

export interface Frame {
  readonly header: Record<string, unknown>;
  readonly body: Buffer;
}

/** One frame in one buffer: the header text is encoded straight into it (one allocation, not three). */
export function encodeFrame(header: Record<string, unknown>, body: Buffer): Buffer {
  const headerText = JSON.stringify(header);
  const headerLength = Buffer.byteLength(headerText);
  const frame = Buffer.allocUnsafe(8 + headerLength + body.length);
  frame.writeUInt32BE(headerLength, 0);
  frame.writeUInt32BE(body.length, 4);
  frame.write(headerText, 8, "utf8");
  body.copy(frame, 8 + headerLength);
  return frame;
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

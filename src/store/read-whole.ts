/** Reading a stream whole, under a cap: for what must be held in memory at once (code packages, a symlink's target). */
import type { Readable } from "node:stream";

/** The stream's bytes in one buffer, reading no further than `maxBytes`: past it the stream is destroyed and `tooLarge()` thrown. */
export async function readWhole(stream: Readable, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      stream.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

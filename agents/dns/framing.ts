/**
 * DNS-over-TCP transport framing (RFC 1035 §4.2.2, RFC 7766): every message is preceded by
 * its length as a 2-byte big-endian integer. This is the stream transport only; the DNS
 * messages themselves are always parsed and built with `dns-packet`.
 */

/** Prefixes `msg` with its 2-byte length. `msg` must be at most 65 535 bytes. */
export function frame(msg: Buffer): Buffer {
  if (msg.length > 0xffff) throw new RangeError(`DNS message of ${msg.length} bytes cannot be framed`);
  const out = Buffer.allocUnsafe(msg.length + 2);
  out.writeUInt16BE(msg.length, 0);
  msg.copy(out, 2);
  return out;
}

export class FrameTooLargeError extends Error {
  constructor(readonly length: number, readonly max: number) {
    super(`DNS-over-TCP frame of ${length} bytes exceeds the limit of ${max}`);
    this.name = "FrameTooLargeError";
  }
}

/**
 * Reassembles length-prefixed messages from a byte stream. `push()` returns the messages
 * completed by a chunk; it throws `FrameTooLargeError` as soon as a length prefix announces
 * more than `maxFrameBytes`, before buffering the body, so a hostile prefix costs nothing.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Buffer[] = [];
    while (this.pendingBytes >= 2) {
      const head = this.pending[0]!.length >= 2 ? this.pending[0]! : this.coalesce();
      const len = head.readUInt16BE(0);
      if (len > this.maxFrameBytes) throw new FrameTooLargeError(len, this.maxFrameBytes);
      if (this.pendingBytes < len + 2) break;
      const all = this.coalesce();
      frames.push(Buffer.from(all.subarray(2, len + 2)));
      const rest = all.subarray(len + 2);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
    return frames;
  }

  private coalesce(): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
    return this.pending[0]!;
  }
}

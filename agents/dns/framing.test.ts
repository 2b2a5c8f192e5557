import { describe, expect, it } from "vitest";
import { frame, FrameReader, FrameTooLargeError } from "./framing";

describe("DNS-over-TCP framing", () => {
  it("reassembles messages split and joined across chunks", () => {
    const a = Buffer.from("hello");
    const b = Buffer.alloc(300, 7);
    const stream = Buffer.concat([frame(a), frame(b), frame(Buffer.alloc(0))]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const r = new FrameReader(1000);
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...r.push(stream.subarray(i, i + size)));
      expect(out.map((m) => m.toString("hex"))).toEqual([a, b, Buffer.alloc(0)].map((m) => m.toString("hex")));
      expect(r.buffered).toBe(0);
    }
  });

  it("rejects a length prefix over the limit before buffering the body", () => {
    const r = new FrameReader(512);
    expect(() => r.push(Buffer.from([0x02, 0x01]))).toThrow(FrameTooLargeError);
    expect(() => frame(Buffer.alloc(70_000))).toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import { lineDiff } from "./line-diff";

describe("lineDiff", () => {
  it("marks unchanged, deleted and added lines in order", () => {
    const d = lineDiff("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
    expect(d).toEqual([
      { op: "same", text: "a" },
      { op: "del", text: "b" },
      { op: "add", text: "B" },
      { op: "same", text: "c" },
      { op: "same", text: "d" },
      { op: "add", text: "e" },
    ]);
  });

  it("handles creation and deletion of a whole document", () => {
    expect(lineDiff("", "x\ny\n")).toEqual([{ op: "add", text: "x" }, { op: "add", text: "y" }]);
    expect(lineDiff("x\n", "")).toEqual([{ op: "del", text: "x" }]);
  });

  it("reconstructs both sides", () => {
    const before = "k: 1\nl: 2\nm: 3\nn: 4\n";
    const after = "k: 1\nm: 3\nz: 9\nn: 4\nq: 0\n";
    const d = lineDiff(before, after);
    expect(d.filter((l) => l.op !== "add").map((l) => l.text).join("\n") + "\n").toBe(before);
    expect(d.filter((l) => l.op !== "del").map((l) => l.text).join("\n") + "\n").toBe(after);
  });
});

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "./portcullis";
import { parseTarget } from "./simulate";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Runs the real launcher through bash (so quoting is the shell's), stdout and stderr merged. */
function sh(args: string): { output: string; code: number } {
  const r = spawnSync("bash", ["-c", `node bin/portcullis.mjs ${args} 2>&1`], { cwd: ROOT, encoding: "utf8" });
  return { output: r.stdout, code: r.status ?? -1 };
}

/** Runs main() in-process with buffered output. */
async function run(argv: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { out: out.join("\n"), err: err.join("\n"), code };
}

interface Example {
  args: string;
  output: string;
  code: number;
}

function snippetExamples(): Example[] {
  const text = readFileSync(path.join(ROOT, "cli/README-snippet.md"), "utf8");
  const blocks = [...text.matchAll(/```console\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.map((b) => {
    const lines = b.replace(/\n$/, "").split("\n");
    const args = lines[0]!.replace(/^\$ npx portcullis /, "");
    const echo = lines.indexOf("$ echo $?");
    return { args, output: lines.slice(1, echo).join("\n"), code: Number(lines[echo + 1]) };
  });
}

describe("README snippet is exact", () => {
  const examples = snippetExamples();
  it("has the documented examples", () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });
  for (const ex of examples) {
    it(`portcullis ${ex.args}`, () => {
      const r = sh(ex.args);
      expect(r.output.replace(/\n$/, "")).toBe(ex.output);
      expect(r.code).toBe(ex.code);
    });
  }
});

describe("help", () => {
  it("prints help for the tool and every command", async () => {
    expect((await run(["--help"])).out).toMatch(/^Usage: portcullis <command>/);
    for (const cmd of ["lint", "selector", "simulate"]) {
      const r = await run([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: portcullis ${cmd}`));
    }
  });
  it("rejects unknown commands and options with exit 2", async () => {
    expect((await run(["frobnicate"])).code).toBe(2);
    const r = await run(["lint", "--bogus", "x.yaml"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bogus/);
  });
});

describe("lint", () => {
  it("prints the OK summary for a clean file (as the README says)", () => {
    const r = sh("lint examples/shop.yaml");
    expect(r.output).toBe("OK: 1 file, 10 resources, 7 Kubernetes objects\n");
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(ROOT, "cli/README-snippet.md"), "utf8")).toContain("`OK: 1 file, 10 resources, 7 Kubernetes objects`");
  });
  it("exits 2 for a missing file", async () => {
    const r = await run(["lint", "does/not/exist.yaml"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/does\/not\/exist\.yaml: cannot read: ENOENT/);
  });
});

describe("selector", () => {
  it("exits 1 when the labels do not match", async () => {
    const r = await run(["selector", "has(a) && b != 'x'", "--labels", "b=x", "--labels", "a="]);
    expect(r.out).toMatch(/canonical: \(has\(a\) && b != "x"\)/);
    expect(r.out).toMatch(/matches:\s+no \(b=x, a=\)/);
    expect(r.code).toBe(1);
  });
  it("shows a newline visibly with the caret under it", async () => {
    const r = await run(["selector", 'a == "x"\n']);
    expect(r.code).toBe(2);
    expect(r.err.split("\n").slice(1)).toEqual(['  a == "x"⏎', "          ^"]);
  });
});

describe("simulate", () => {
  it("--json prints the evaluateFlow result", () => {
    const r = sh("simulate -f examples/shop.yaml --from shop/frontend --to shop/cart:9000 --json");
    expect(r.code).toBe(0);
    const result = JSON.parse(r.output) as { action: string; egress: { decidedBy: { policy: { name: string } } }; ingress: { verdict: string } };
    expect(result.action).toBe("Allow");
    expect(result.egress.decidedBy.policy.name).toBe("frontend");
    expect(result.ingress.verdict).toBe("Allow");
  });
  it("named ports need the matching protocol", async () => {
    const r = await run(["simulate", "-f", "examples/shop.yaml", "--from", "shop/frontend", "--to", "shop/cart:9000/UDP"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/egress of shop\/frontend: DENY/);
  });
  it("reports unknown pods and invalid files with exit 2", async () => {
    const unknown = await run(["simulate", "-f", "examples/shop.yaml", "--from", "shop/nope", "--to", "1.2.3.4:80"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no pod shop\/nope/);
    const broken = await run(["simulate", "-f", "examples/broken.yaml", "--from", "1.2.3.4", "--to", "1.2.3.5:80"]);
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/^examples\/broken\.yaml:13: /);
  });
  it("parses destinations", () => {
    expect(parseTarget("shop/cart")).toEqual({ peer: { pod: "shop/cart" } });
    expect(parseTarget("shop/cart:9000/udp")).toEqual({ peer: { pod: "shop/cart" }, port: 9000, protocol: "udp" });
    expect(parseTarget("10.0.0.1:443")).toEqual({ peer: { ip: "10.0.0.1" }, port: 443 });
    expect(parseTarget("10.0.0.1/ICMP")).toEqual({ peer: { ip: "10.0.0.1" }, protocol: "ICMP" });
    expect(parseTarget("2001:db8::1")).toEqual({ peer: { ip: "2001:db8::1" } });
    expect(parseTarget("[2001:db8::1]:53/UDP")).toEqual({ peer: { ip: "2001:db8::1" }, port: 53, protocol: "UDP" });
    expect(() => parseTarget("not a target")).toThrow(/expected ns\/pod or an IP/);
  });
});

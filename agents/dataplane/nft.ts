/**
 * Running `nft`: directly, or inside a network namespace (`ip netns exec <ns> nft`), always with
 * the ruleset on stdin (`nft -f -`) so one file is one transaction.
 */
import { spawn } from "node:child_process";

export class NftError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    readonly code: number | null,
  ) {
    super(message);
    this.name = "NftError";
  }
}

export interface NftRunner {
  /** Runs nft with `args`, feeding `stdin` when given; resolves with stdout, rejects with NftError. */
  run(args: readonly string[], stdin?: string): Promise<string>;
}

export function nftRunner(opts: { netns?: string | undefined; binary?: string | undefined } = {}): NftRunner {
  const binary = opts.binary ?? "nft";
  const [cmd, prefix] = opts.netns ? ["ip", ["netns", "exec", opts.netns, binary]] : [binary, [] as string[]];
  return {
    run(args, stdin) {
      return new Promise((resolve, reject) => {
        const child = spawn(cmd, [...prefix, ...args], { stdio: ["pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (d: Buffer) => out.push(d));
        child.stderr.on("data", (d: Buffer) => err.push(d));
        child.on("error", (e) => reject(new NftError(`cannot run ${cmd}: ${e.message}`, "", null)));
        child.on("close", (code) => {
          const stderr = Buffer.concat(err).toString("utf8");
          if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
          else reject(new NftError(`nft ${args.join(" ")} failed (exit ${code}): ${stderr.trim().split("\n").slice(0, 6).join(" | ")}`, stderr, code));
        });
        child.stdin.on("error", () => undefined);
        child.stdin.end(stdin ?? "");
      });
    },
  };
}

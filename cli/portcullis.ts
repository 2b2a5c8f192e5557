/**
 * Portcullis CLI for people who keep policy in Git: `lint`, `selector`,
 * `simulate`. Entry point `main(argv)` returns the exit code.
 */
import { lint } from "./lint";
import { EXIT_OK, EXIT_USAGE, processIo, UsageError, type Io } from "./io";
import { selector } from "./selector";
import { simulate } from "./simulate";

export const HELP = `Usage: portcullis <command> [options]

Commands:
  lint FILE...                       validate YAML resources (FILE:LINE: PATH: MESSAGE)
  selector 'EXPR' [--labels k=v,...] canonical form of a selector, and whether it matches labels
  simulate -f FILE... --from SRC --to DST[:PORT][/PROTO] [--domain NAME] [--json]
                                     evaluate one flow against the policy in FILEs

Run 'portcullis <command> --help' for a command's options.`;

const COMMANDS: Record<string, (args: string[], io: Io) => number> = { lint, selector, simulate };

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.err(`portcullis: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  try {
    return run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`portcullis ${command}: ${(err as Error).message}`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

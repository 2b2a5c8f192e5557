/**
 * `startTestDnsServer` as a process, so a test can run it inside a network namespace:
 *
 *     ip netns exec <ns> node --import tsx agents/dns/testing/dns-server-main.ts <host> <port>
 *
 * Prints `ready` once listening. Reads JSON lines on stdin: `{"records": [...]}` replaces the
 * zone, `{"stats": true}` prints the received counters; every command is answered with one
 * JSON line.
 */
import readline from "node:readline";
import type { Answer } from "dns-packet";
import { startTestDnsServer } from "./test-dns-server";

const [host = "127.0.0.1", port = "53"] = process.argv.slice(2);
const server = await startTestDnsServer({ host, port: Number(port) });
process.stdout.write("ready\n");
const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const cmd = JSON.parse(line) as { records?: Answer[]; stats?: boolean };
  if (cmd.records) server.setRecords(cmd.records);
  process.stdout.write(`${JSON.stringify({ ok: true, received: server.received })}\n`);
});
rl.on("close", () => void server.stop().then(() => process.exit(0)));
process.on("SIGTERM", () => void server.stop().then(() => process.exit(0)));

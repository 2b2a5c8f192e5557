/**
 * Child process for the DNS benchmark (`fork(..., { execArgv: ["--import", "tsx"] })`): hosts
 * the test resolver and the load client in their own process (their own core), so the proxy's
 * process measures the proxy alone.
 *
 * IPC in: `{ cmd: "init", records }` → `{ port }`; `{ cmd: "load", target, names, ms,
 * inFlight }` → `{ rate }` (answers/s with `inFlight` queries outstanding); `{ cmd: "stop" }`.
 */
import dgram from "node:dgram";
import type { Answer } from "dns-packet";
import { startTestDnsServer } from "./test-dns-server";
import { buildQuery, type Target } from "./dns-client";

interface LoadCmd {
  cmd: "load";
  target: Target;
  names: string[];
  ms: number;
  inFlight: number;
}

function load({ target, names, ms, inFlight }: LoadCmd): Promise<number> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket("udp4");
    let answered = 0;
    let sent = 0;
    let stopping = false;
    let t0 = 0;
    const send = () => {
      sent++;
      sock.send(buildQuery(names[sent % names.length]!), target.port, target.host);
    };
    sock.on("message", () => {
      answered++;
      if (!stopping) send();
    });
    sock.bind(0, "127.0.0.1", () => {
      t0 = performance.now();
      for (let i = 0; i < inFlight; i++) send();
      setTimeout(() => {
        stopping = true;
        const rate = (answered * 1000) / (performance.now() - t0);
        sock.close();
        resolve(rate);
      }, ms);
    });
  });
}

let server: Awaited<ReturnType<typeof startTestDnsServer>> | undefined;
process.on("message", (msg: { cmd: "init"; records: Answer[] } | LoadCmd | { cmd: "stop" }) => {
  if (msg.cmd === "init") {
    void startTestDnsServer({ records: msg.records }).then((s) => {
      server = s;
      process.send!({ port: s.port });
    });
  } else if (msg.cmd === "load") void load(msg).then((rate) => process.send!({ rate }));
  else void (server?.stop() ?? Promise.resolve()).then(() => process.disconnect());
});

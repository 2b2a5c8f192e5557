import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * The exact manifests an admin applies to install the agent on a cluster: the namespace, a
 * Secret with the bootstrap token, a ConfigMap with the bundle public key, and the DaemonSet
 * from deploy/agent-daemonset.yaml with this cluster's name and the console URL filled in.
 */
export function installManifest(opts: { cluster: string; consoleUrl: string; publicKeyHex: string; bootstrapToken: string }): string {
  const daemonset = readFileSync(path.join(/* turbopackIgnore: true */ process.cwd(), "deploy", "agent-daemonset.yaml"), "utf8")
    .replace(/(name: PORTCULLIS_CLUSTER\s+value: )"[^"]*"/, `$1"${opts.cluster}"`)
    .replace(/(name: PORTCULLIS_CONSOLE_URL\s+value: )"[^"]*"/, `$1"${opts.consoleUrl}"`);
  const head = `# Portcullis agent for cluster "${opts.cluster}". Apply with: kubectl apply -f portcullis-agent.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: portcullis-system
---
apiVersion: v1
kind: Secret
metadata:
  name: portcullis-agent-bootstrap
  namespace: portcullis-system
type: Opaque
stringData:
  token: "${opts.bootstrapToken}"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: portcullis-agent
  namespace: portcullis-system
data:
  public-key: "${opts.publicKeyHex}"
---
`;
  return head + daemonset;
}

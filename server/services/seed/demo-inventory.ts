import { seededRandom as rng } from "../../policy/random";

/**
 * A realistic, deterministic inventory for the demo cluster: a dozen namespaces with team and
 * environment labels, and a few hundred pods of typical workloads with the labels that
 * Deployments, StatefulSets and Helm charts put on them, spread over six nodes.
 */
export interface DemoNamespace {
  name: string;
  labels: Record<string, string>;
}
export interface DemoPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  serviceAccount: string;
  nodeName: string;
  podIps: string[];
  ports: Array<{ name: string; port: number; protocol: "TCP" | "UDP" }>;
}

interface Workload {
  app: string;
  component: string;
  replicas: number;
  ports: Array<{ name: string; port: number; protocol: "TCP" | "UDP" }>;
  kind?: "Deployment" | "StatefulSet" | "DaemonSet";
  extra?: Record<string, string>;
}

const NAMESPACES: Array<{ name: string; team: string; env: string; extra?: Record<string, string>; workloads: Workload[] }> = [
  {
    name: "shop-frontend", team: "storefront", env: "production",
    workloads: [
      { app: "web", component: "frontend", replicas: 12, ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
      { app: "bff", component: "api", replicas: 8, ports: [{ name: "http", port: 8080, protocol: "TCP" }, { name: "metrics", port: 9090, protocol: "TCP" }] },
      { app: "image-resizer", component: "worker", replicas: 4, ports: [{ name: "http", port: 8000, protocol: "TCP" }] },
    ],
  },
  {
    name: "shop-checkout", team: "checkout", env: "production", extra: { "compliance": "pci" },
    workloads: [
      { app: "checkout", component: "api", replicas: 10, ports: [{ name: "http", port: 8080, protocol: "TCP" }, { name: "metrics", port: 9090, protocol: "TCP" }] },
      { app: "cart", component: "api", replicas: 8, ports: [{ name: "grpc", port: 50051, protocol: "TCP" }] },
      { app: "cart-redis", component: "cache", replicas: 3, kind: "StatefulSet", ports: [{ name: "redis", port: 6379, protocol: "TCP" }] },
    ],
  },
  {
    name: "shop-catalog", team: "catalog", env: "production",
    workloads: [
      { app: "catalog", component: "api", replicas: 9, ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
      { app: "search", component: "api", replicas: 6, ports: [{ name: "http", port: 9200, protocol: "TCP" }] },
      { app: "catalog-db", component: "database", replicas: 3, kind: "StatefulSet", ports: [{ name: "postgres", port: 5432, protocol: "TCP" }] },
    ],
  },
  {
    name: "payments", team: "payments", env: "production", extra: { "compliance": "pci", "data-classification": "restricted" },
    workloads: [
      { app: "payment-gateway", component: "api", replicas: 8, ports: [{ name: "https", port: 8443, protocol: "TCP" }] },
      { app: "fraud-scoring", component: "worker", replicas: 6, ports: [{ name: "grpc", port: 50051, protocol: "TCP" }] },
      { app: "ledger", component: "api", replicas: 4, ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
      { app: "ledger-db", component: "database", replicas: 3, kind: "StatefulSet", ports: [{ name: "postgres", port: 5432, protocol: "TCP" }] },
    ],
  },
  {
    name: "identity", team: "identity", env: "production", extra: { "data-classification": "restricted" },
    workloads: [
      { app: "auth", component: "api", replicas: 8, ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
      { app: "keycloak", component: "idp", replicas: 3, kind: "StatefulSet", ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
      { app: "session-store", component: "cache", replicas: 3, kind: "StatefulSet", ports: [{ name: "redis", port: 6379, protocol: "TCP" }] },
    ],
  },
  {
    name: "data-platform", team: "data", env: "production",
    workloads: [
      { app: "kafka", component: "broker", replicas: 6, kind: "StatefulSet", ports: [{ name: "kafka", port: 9092, protocol: "TCP" }] },
      { app: "zookeeper", component: "coordination", replicas: 3, kind: "StatefulSet", ports: [{ name: "client", port: 2181, protocol: "TCP" }] },
      { app: "etl", component: "worker", replicas: 10, ports: [{ name: "metrics", port: 9090, protocol: "TCP" }] },
    ],
  },
  {
    name: "analytics", team: "data", env: "staging",
    workloads: [
      { app: "notebook", component: "ui", replicas: 6, ports: [{ name: "http", port: 8888, protocol: "TCP" }] },
      { app: "spark-executor", component: "worker", replicas: 16, ports: [{ name: "blockmanager", port: 7079, protocol: "TCP" }] },
      { app: "report-builder", component: "worker", replicas: 4, ports: [{ name: "http", port: 8080, protocol: "TCP" }] },
    ],
  },
  {
    name: "monitoring", team: "platform", env: "production",
    workloads: [
      { app: "prometheus", component: "server", replicas: 2, kind: "StatefulSet", ports: [{ name: "web", port: 9090, protocol: "TCP" }] },
      { app: "alertmanager", component: "server", replicas: 3, kind: "StatefulSet", ports: [{ name: "web", port: 9093, protocol: "TCP" }] },
      { app: "grafana", component: "ui", replicas: 2, ports: [{ name: "http", port: 3000, protocol: "TCP" }] },
      { app: "node-exporter", component: "exporter", replicas: 6, kind: "DaemonSet", ports: [{ name: "metrics", port: 9100, protocol: "TCP" }] },
    ],
  },
  {
    name: "logging", team: "platform", env: "production",
    workloads: [
      { app: "fluent-bit", component: "collector", replicas: 6, kind: "DaemonSet", ports: [{ name: "http", port: 2020, protocol: "TCP" }] },
      { app: "loki", component: "storage", replicas: 3, kind: "StatefulSet", ports: [{ name: "http", port: 3100, protocol: "TCP" }] },
    ],
  },
  {
    name: "ingress-nginx", team: "platform", env: "production",
    workloads: [{ app: "ingress-nginx", component: "controller", replicas: 4, ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "https", port: 443, protocol: "TCP" }] }],
  },
  {
    name: "cert-manager", team: "platform", env: "production",
    workloads: [
      { app: "cert-manager", component: "controller", replicas: 2, ports: [{ name: "metrics", port: 9402, protocol: "TCP" }] },
      { app: "cert-manager-webhook", component: "webhook", replicas: 2, ports: [{ name: "https", port: 10250, protocol: "TCP" }] },
    ],
  },
  {
    name: "kube-system", team: "platform", env: "production",
    workloads: [
      { app: "coredns", component: "dns", replicas: 2, extra: { "k8s-app": "kube-dns" }, ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }] },
      { app: "metrics-server", component: "metrics", replicas: 1, ports: [{ name: "https", port: 10250, protocol: "TCP" }] },
      { app: "portcullis-agent", component: "agent", replicas: 6, kind: "DaemonSet", ports: [{ name: "metrics", port: 9464, protocol: "TCP" }] },
    ],
  },
];

const NODES = ["node-a", "node-b", "node-c", "node-d", "node-e", "node-f"];

const ALPHANUM = "bcdfghjklmnpqrstvwxz2456789";
function suffix(rand: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHANUM[Math.floor(rand() * ALPHANUM.length)];
  return s;
}

export function demoInventory(): { namespaces: DemoNamespace[]; pods: DemoPod[] } {
  const rand = rng(20261126);
  const namespaces: DemoNamespace[] = [];
  const pods: DemoPod[] = [];
  const nextHost = new Map<string, number>(NODES.map((n) => [n, 2]));
  for (const ns of NAMESPACES) {
    namespaces.push({
      name: ns.name,
      labels: { "kubernetes.io/metadata.name": ns.name, team: ns.team, env: ns.env, ...(ns.extra ?? {}) },
    });
    for (const w of ns.workloads) {
      const version = `v${1 + Math.floor(rand() * 3)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 10)}`;
      const hash = suffix(rand, 10);
      for (let i = 0; i < w.replicas; i++) {
        const kind = w.kind ?? "Deployment";
        const node = kind === "DaemonSet" ? NODES[i % NODES.length]! : NODES[Math.floor(rand() * NODES.length)]!;
        const nodeIdx = NODES.indexOf(node);
        const host = nextHost.get(node)!;
        nextHost.set(node, host + 1);
        const name =
          kind === "StatefulSet" ? `${w.app}-${i}` : kind === "DaemonSet" ? `${w.app}-${suffix(rand, 5)}` : `${w.app}-${hash}-${suffix(rand, 5)}`;
        const labels: Record<string, string> = {
          app: w.app,
          "app.kubernetes.io/name": w.app,
          "app.kubernetes.io/component": w.component,
          "app.kubernetes.io/part-of": ns.name.startsWith("shop-") ? "shop" : ns.team,
          "app.kubernetes.io/version": version,
          ...(kind === "Deployment" ? { "pod-template-hash": hash } : {}),
          ...(kind === "StatefulSet" ? { "statefulset.kubernetes.io/pod-name": name } : {}),
          ...(w.extra ?? {}),
        };
        pods.push({
          namespace: ns.name,
          name,
          labels,
          serviceAccount: w.app,
          nodeName: node,
          podIps: [`10.244.${nodeIdx}.${host}`, `fd00:10:244:${nodeIdx}::${host.toString(16)}`],
          ports: w.ports,
        });
      }
    }
  }
  return { namespaces, pods };
}

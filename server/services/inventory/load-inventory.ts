import { db } from "../../db";
import type { NamespaceLike, PodInput } from "../../policy";

export interface InventoryPodInput {
  /** "namespace/name" */
  id: string;
  namespace: string;
  name: string;
  /** The pod in the v1 shape the policy engine takes. */
  input: PodInput;
  ip: string | null;
  /** First named container port, for sampled flows. */
  port: number | null;
}

/** A cluster's running pods and namespaces from the inventory, in the shapes the policy engine takes. */
export async function loadInventory(clusterId: string): Promise<{ namespaces: NamespaceLike[]; nsByName: Map<string, NamespaceLike>; pods: InventoryPodInput[] }> {
  const [namespaces, podRows] = await Promise.all([
    db().inventoryNamespace.findMany({ where: { clusterId }, orderBy: { name: "asc" } }),
    db().inventoryPod.findMany({ where: { clusterId, phase: "Running" }, orderBy: [{ namespace: "asc" }, { name: "asc" }] }),
  ]);
  const nsInputs: NamespaceLike[] = namespaces.map((n) => ({ metadata: { name: n.name, labels: n.labels as Record<string, string> } }));
  const pods = podRows.map((p) => {
    const ports = (p.ports as Array<{ name?: string; port: number; protocol?: string }>) ?? [];
    const input: PodInput = {
      metadata: { name: p.name, namespace: p.namespace, labels: p.labels as Record<string, string> },
      spec: {
        serviceAccountName: p.serviceAccount,
        nodeName: p.nodeName,
        containers: [{ name: "main", ports: ports.map((x) => ({ name: x.name, containerPort: x.port, protocol: x.protocol ?? "TCP" })) }],
      },
      status: { podIP: p.podIps[0], podIPs: p.podIps.map((ip) => ({ ip })) },
    };
    return { id: `${p.namespace}/${p.name}`, namespace: p.namespace, name: p.name, input, ip: p.podIps[0] ?? null, port: ports[0]?.port ?? null };
  });
  return { namespaces: nsInputs, nsByName: new Map(nsInputs.map((n) => [n.metadata.name, n])), pods };
}

import type { RequestContext } from "../../auth/actor";
import { compileSnapshot, evaluateFlow, type TResource } from "../../policy";
import { FlowError } from "../../policy/evaluate/types";
import type { TSimulateFlow } from "../../policy/simulation";
import { authorise } from "../authorise";
import { clusterByName, currentRevisionNumber, loadStore, resultingResources, storedResource } from "../changes/store";
import { ServiceError } from "../errors";
import { loadInventory } from "../inventory/load-inventory";

/**
 * The policy tester: evaluates one flow against the cluster's published policy and its
 * inventory with the policy engine, and returns the verdict with the trace of what decided it
 * in each direction (source pod's egress, destination pod's ingress).
 */
export async function simulateFlow(ctx: RequestContext, clusterName: string, input: TSimulateFlow) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [store, inventory, revision] = await Promise.all([loadStore(cluster.id), loadInventory(cluster.id), currentRevisionNumber(cluster.id)]);
  const resources: TResource[] = [...resultingResources(store, []).values()].map(storedResource);
  const compiled = compileSnapshot({ resources, namespaces: inventory.namespaces, pods: inventory.pods.map((p) => p.input) });
  try {
    const result = evaluateFlow(compiled, { source: input.source, destination: input.destination, protocol: input.protocol, port: input.port });
    return { revision, result };
  } catch (err) {
    if (err instanceof FlowError) {
      const field = /source/i.test(err.message) ? "source" : /destination/i.test(err.message) ? "destination" : "flow";
      throw new ServiceError("validation_failed", `${field}: ${err.message}`, { errors: [{ path: field, message: err.message }] });
    }
    throw err;
  }
}

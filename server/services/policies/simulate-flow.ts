import type { RequestContext } from "../../auth/actor";
import { compileSnapshot, evaluateFlow } from "../../policy";
import { FlowError } from "../../policy/evaluate/types";
import type { TSimulateFlow } from "../../policy/simulation";
import { authorise } from "../authorise";
import { clusterByName, currentRevisionNumber } from "../changes/store";
import { ServiceError } from "../errors";
import { loadInventory } from "../inventory/load-inventory";
import { loadPolicyState } from "./policy-state";

/**
 * The policy tester: evaluates one flow against the cluster's published policy (or, given
 * `changeRequest`, the state with that open change request's changes applied) and its inventory
 * with the policy engine, and returns the verdict with the trace of what decided it in each
 * direction (source pod's egress, destination pod's ingress).
 */
export async function simulateFlow(ctx: RequestContext, clusterName: string, input: TSimulateFlow) {
  authorise(ctx, "authenticated");
  const cluster = await clusterByName(clusterName);
  const [{ resources, request }, inventory, revision] = await Promise.all([loadPolicyState(cluster, input.changeRequest), loadInventory(cluster.id), currentRevisionNumber(cluster.id)]);
  const changeRequest = request ? { id: request.id, number: request.number, title: request.title, state: request.state, changes: request.ops.size } : null;
  const compiled = compileSnapshot({ resources, namespaces: inventory.namespaces, pods: inventory.pods.map((p) => p.input) });
  try {
    const result = evaluateFlow(compiled, { source: input.source, destination: input.destination, protocol: input.protocol, port: input.port });
    return { revision, changeRequest, result };
  } catch (err) {
    if (err instanceof FlowError) {
      const field = /source/i.test(err.message) ? "source" : /destination/i.test(err.message) ? "destination" : "flow";
      throw new ServiceError("validation_failed", `${field}: ${err.message}`, { errors: [{ path: field, message: err.message }] });
    }
    throw err;
  }
}

/**
 * Flow evaluation entry points: `compileSnapshot`, `evaluateFlow`,
 * `snapshotFromYaml`. See evaluate/ for the implementation.
 */
import { compileSnapshot, type CompiledSnapshot } from "./evaluate/compile";
import { evaluateCompiled } from "./evaluate/engine";
import type { Flow, FlowResult, Snapshot } from "./evaluate/types";

export { compileSnapshot, type CompiledSnapshot } from "./evaluate/compile";
export { parseSnapshotItem, parseSnapshotYaml, snapshotFromItems, snapshotFromYaml, type SnapshotItem, type SnapshotParseResult } from "./evaluate/snapshot";
export * from "./evaluate/types";

const compiledCache = new WeakMap<Snapshot, CompiledSnapshot>();

function isCompiled(s: Snapshot | CompiledSnapshot): s is CompiledSnapshot {
  return (s as CompiledSnapshot).kind === "compiled-snapshot";
}

/**
 * Evaluates a flow. `snapshot` may be a raw Snapshot (compiled once and cached
 * per object; do not mutate it afterwards) or the result of compileSnapshot.
 * Throws FlowError when the flow names an unknown pod or an invalid address.
 */
export function evaluateFlow(snapshot: Snapshot | CompiledSnapshot, flow: Flow): FlowResult {
  let compiled: CompiledSnapshot;
  if (isCompiled(snapshot)) compiled = snapshot;
  else {
    compiled = compiledCache.get(snapshot) ?? compileSnapshot(snapshot);
    compiledCache.set(snapshot, compiled);
  }
  return evaluateCompiled(compiled, flow);
}

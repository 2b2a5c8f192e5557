"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { api, ApiError } from "../../api";
import { ClusterSelect, type ClusterOption } from "../../clusters/cluster-picker";
import { clusterKeys } from "../../clusters/clusters-list";
import { Alert } from "../../ui/alert";
import { PageHeader } from "../../ui/card";
import { PolicyTester } from "../policy-tester";
import { Loading } from "../../ui/empty";
import { fetchDraft, fetchInventory, fetchPublishedSets, fetchResource, fetchTiers, networkSetsWithDraft, policyEditorKeys, tierChoices, type Draft, type LiveResource } from "./data";
import { asString, getIn, isPolicyKind, newPolicy, type Doc } from "./document";
import { PolicyEditor, type EditorTarget } from "./policy-editor";
import { InventoryModel, PodInventory, SetInventory, type InventorySnapshot } from "./preview";

export type PolicyEditorPageProps =
  | { mode: "new"; cluster?: string; kind?: string; namespace?: string; canAuthor: boolean }
  | { mode: "edit"; cluster: string; kind: string; namespace?: string; name: string; canAuthor: boolean };

function plural(n: number, one: string): string {
  return `${n.toLocaleString()} ${one}${n === 1 ? "" : "s"}`;
}

const ONCE = { staleTime: Infinity, refetchOnWindowFocus: false, refetchOnReconnect: false } as const;

/** Builds the pod index once per inventory load, after a frame that says so. */
function usePodInventory(snapshot: InventorySnapshot | undefined): PodInventory | null {
  const [built, setBuilt] = useState<{ from: InventorySnapshot; inv: PodInventory } | null>(null);
  useEffect(() => {
    if (!snapshot) return;
    const t = setTimeout(() => {
      const start = performance.now();
      const inv = new PodInventory(snapshot);
      // Visible in the browser's performance tools (and read by the preview benchmark).
      performance.measure("policy-editor:index-pods", { start, detail: { pods: inv.count } });
      setBuilt({ from: snapshot, inv });
    }, 0);
    return () => clearTimeout(t);
  }, [snapshot]);
  return built && built.from === snapshot ? built.inv : null;
}

/** The editor's data: inventory (preview), network sets, tiers and the user's draft. */
function useEditorData(cluster: string) {
  const enabled = cluster !== "";
  const inventory = useQuery({ queryKey: policyEditorKeys.inventory(cluster), queryFn: ({ signal }) => fetchInventory(cluster, signal), enabled, structuralSharing: false, ...ONCE });
  const sets = useQuery({ queryKey: policyEditorKeys.networkSets(cluster), queryFn: ({ signal }) => fetchPublishedSets(cluster, signal), enabled, ...ONCE });
  const tiers = useQuery({ queryKey: policyEditorKeys.tiers(cluster), queryFn: ({ signal }) => fetchTiers(cluster, signal), enabled, ...ONCE });
  const draft = useQuery({ queryKey: policyEditorKeys.draft(cluster), queryFn: ({ signal }) => fetchDraft(cluster, signal), enabled, refetchOnWindowFocus: false });
  const pods = usePodInventory(inventory.data);
  const networkSets = useMemo(() => networkSetsWithDraft(sets.data ?? [], draft.data ?? null), [sets.data, draft.data]);
  const setInventory = useMemo(() => new SetInventory(networkSets, pods?.nsByName), [networkSets, pods]);
  const model = useMemo(() => (pods ? new InventoryModel(pods, setInventory) : null), [pods, setInventory]);
  const namespaces = useMemo(() => (inventory.data?.namespaces ?? []).map((n) => n.name), [inventory.data]);
  return { inventory, sets, tiers, draft, model, networkSets, namespaces };
}

function InventoryStatus({ data }: { data: ReturnType<typeof useEditorData> }) {
  const { inventory, model } = data;
  if (inventory.isError) return <Alert tone="warning">The cluster inventory could not be loaded, so selectors cannot be previewed: {inventory.error.message}</Alert>;
  if (inventory.isPending) return <p className="text-sm text-slate-500" role="status">Loading the cluster inventory for live previews…</p>;
  if (!model) return <p className="text-sm text-slate-500" role="status">Indexing {inventory.data.pods.length.toLocaleString()} pods for live previews…</p>;
  return (
    <p className="text-sm text-slate-500" data-testid="inventory-status">
      Previews use the inventory of {plural(model.pods.count, "pod")} in {plural(model.pods.namespaces.length, "namespace")} and {plural(model.sets.networkSets.length, "network set")}.
    </p>
  );
}

function NewPolicyPage({ cluster: initialCluster, kind, namespace, canAuthor }: Extract<PolicyEditorPageProps, { mode: "new" }>) {
  const clusters = useQuery({ queryKey: clusterKeys.list(), queryFn: () => api<{ items: ClusterOption[] }>("/api/v1/clusters") });
  const [picked, setPicked] = useState(initialCluster ?? "");
  const cluster = picked || clusters.data?.items[0]?.name || "";
  const data = useEditorData(cluster);
  const [initialDoc] = useState<Doc>(() => newPolicy(isPolicyKind(kind) ? kind : "NetworkPolicy", namespace || "default"));
  const target = useMemo<EditorTarget>(() => ({ op: "create", baseVersion: 0, identity: null }), []);
  return (
    <>
      <PageHeader
        title="New policy"
        description="Write a NetworkPolicy or GlobalNetworkPolicy with live previews of what each selector matches in the cluster's inventory, then save it to your draft change request for review."
        actions={
          <Link href="/policies" className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium hover:bg-slate-50">
            Back to policies
          </Link>
        }
      />
      <ClusterSelect options={clusters.data?.items} value={cluster} onChange={setPicked} />
      {clusters.isError && <Alert>Could not load clusters: {clusters.error.message}</Alert>}
      {clusters.data && clusters.data.items.length === 0 && <Alert tone="info">Add a cluster first: policies belong to a cluster.</Alert>}
      {cluster && (
        <>
          <div className="mb-4">
            <InventoryStatus data={data} />
          </div>
          <PolicyEditor
            cluster={cluster}
            initialDoc={initialDoc}
            target={target}
            canAuthor={canAuthor}
            model={data.model}
            networkSets={data.networkSets}
            tiers={tierChoices(data.tiers.data ?? [], data.draft.data ?? null, undefined)}
            namespaces={data.namespaces}
            draft={data.draft.isSuccess ? data.draft.data : undefined}
          />
        </>
      )}
    </>
  );
}

interface Loaded {
  doc: Doc;
  target: EditorTarget;
  from: "draft" | "published";
  note: string | null;
}

function decide(kind: string, namespace: string | null, name: string, live: LiveResource | null, draft: Draft | null, preferLive: boolean): Loaded | { error: string } {
  const identity = { kind, namespace, name };
  const item = draft?.items.find((i) => i.kind === kind && (i.namespace ?? null) === namespace && i.name === name);
  if (item && item.op !== "delete" && item.document && !preferLive) {
    return {
      doc: item.document,
      target: { op: live ? "update" : "create", baseVersion: item.baseVersion, identity },
      from: "draft",
      note: `You are editing the version in your draft change request${draft?.number !== undefined ? ` #${draft.number}` : ""}, not the published one.`,
    };
  }
  if (!live) return { error: `${kind} ${namespace ? `${namespace}/` : ""}${name} is not published on this cluster${item?.op === "delete" ? " (and your draft deletes it)" : ""}.` };
  return {
    doc: live.document,
    target: { op: "update", baseVersion: live.version, identity },
    from: "published",
    note: item?.op === "delete" ? "Your draft change request deletes this policy; saving replaces the deletion with this update." : null,
  };
}

function EditPolicyPage({ cluster, kind, namespace, name, canAuthor }: Extract<PolicyEditorPageProps, { mode: "edit" }>) {
  const qc = useQueryClient();
  const ns = kind === "NetworkPolicy" ? namespace || "default" : null;
  const data = useEditorData(cluster);
  const resource = useQuery({
    queryKey: policyEditorKeys.resource(cluster, kind, ns, name),
    queryFn: async ({ signal }) => {
      try {
        return await fetchResource(cluster, kind, ns, name, signal);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    refetchOnWindowFocus: false,
  });
  const [load, setLoad] = useState<{ n: number; preferLive: boolean; loaded: Loaded | { error: string } | null }>({ n: 0, preferLive: false, loaded: null });
  const ready = resource.isSuccess && data.draft.isSuccess;
  if (ready && load.loaded === null) {
    setLoad({ ...load, loaded: decide(kind, ns, name, resource.data, data.draft.data ?? null, load.preferLive) });
  }
  const reload = async () => {
    await Promise.all([
      qc.refetchQueries({ queryKey: policyEditorKeys.resource(cluster, kind, ns, name), exact: true }),
      qc.refetchQueries({ queryKey: policyEditorKeys.draft(cluster), exact: true }),
    ]);
    setLoad((l) => ({ n: l.n + 1, preferLive: true, loaded: null }));
  };
  const title = `Edit ${kind} ${ns ? `${ns}/` : ""}${name}`;
  const supported = isPolicyKind(kind);
  return (
    <>
      <PageHeader
        title={title}
        description="Changes are saved to your draft change request; the published policy stays as it is until the change request is approved and published."
        actions={
          <Link href="/policies" className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium hover:bg-slate-50">
            Back to policies
          </Link>
        }
      />
      {!supported && <Alert>The policy editor edits NetworkPolicy and GlobalNetworkPolicy resources, not {kind}.</Alert>}
      {supported && (resource.isError || data.draft.isError) && <Alert>Could not load the policy: {(resource.error ?? data.draft.error)?.message}</Alert>}
      {supported && !load.loaded && !resource.isError && !data.draft.isError && <Loading label="Loading the policy…" />}
      {supported && load.loaded && "error" in load.loaded && <Alert>{load.loaded.error}</Alert>}
      {supported && load.loaded && !("error" in load.loaded) && (
        <>
          {load.loaded.note && (
            <Alert tone="info" className="mb-4">
              {load.loaded.note}
            </Alert>
          )}
          <div className="mb-4">
            <InventoryStatus data={data} />
          </div>
          <PolicyEditor
            key={load.n}
            cluster={cluster}
            initialDoc={load.loaded.doc}
            target={load.loaded.target}
            canAuthor={canAuthor}
            model={data.model}
            networkSets={data.networkSets}
            tiers={tierChoices(data.tiers.data ?? [], data.draft.data ?? null, asString(getIn(load.loaded.doc, ["spec", "tier"])))}
            namespaces={data.namespaces}
            draft={data.draft.data}
            onReload={() => void reload()}
          />
          <div className="mt-6">
            <PolicyTester cluster={cluster} />
          </div>
        </>
      )}
    </>
  );
}

/** `/policies/new` and `/policies/edit`: the visual policy editor. */
export function PolicyEditorPage(props: PolicyEditorPageProps) {
  return props.mode === "new" ? <NewPolicyPage {...props} /> : <EditPolicyPage {...props} />;
}

"use client";

import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { api, ApiError, qs } from "../api";
import { draftKeys, editableResource, saveToDraft, useMyDraft } from "../changes/my-draft";
import { ClusterSelect, useClusterPicker } from "../clusters/cluster-picker";
import { DraftBanner } from "../draft/draft";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, Card, PageHeader } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";
import { arrayMove, planReorder } from "./reorder";

export interface BoardPolicy {
  kind: string;
  namespace: string | null;
  name: string;
  display: string;
  tier: string;
  position: number;
  staged: boolean;
  order: number | null;
  selector: string;
  types: string[];
  ingressRules: number;
  egressRules: number;
  selectedPods: number;
  version: number;
  change: "create" | "update" | null;
}
interface BoardTier {
  name: string;
  order: number | null;
  defaultAction: string;
  defined: boolean;
  total: number;
  policies: BoardPolicy[];
  before: BoardPolicy | null;
  after: BoardPolicy | null;
}
interface Board {
  cluster: string;
  revision: number;
  pods: number;
  changeRequest: { id: string; number: number; title: string; state: string; changes: number } | null;
  sort: Sort;
  dir: "asc" | "desc";
  offset: number;
  limit: number;
  total: number;
  totalPolicies: number;
  tierNames: Array<{ name: string; policies: number }>;
  policies: BoardPolicy[];
  tiers: BoardTier[];
}
type Sort = "evaluation" | "name" | "pods" | "order";
type Kind = "" | "namespaced" | "global" | "staged";
interface BoardParams {
  q: string;
  kind: Kind;
  tier: string;
  sort: Sort;
  dir: "asc" | "desc";
  offset: number;
  limit: number;
  withDraft: boolean;
}

export const policyKeys = {
  all: ["policies"] as const,
  boards: (cluster: string) => ["policies", "board", cluster] as const,
  board: (cluster: string, p: BoardParams) => ["policies", "board", cluster, p] as const,
};

const PAGE_SIZE = 100;

const KIND_LABEL: Record<string, string> = {
  NetworkPolicy: "namespaced",
  GlobalNetworkPolicy: "global",
  StagedNetworkPolicy: "staged, namespaced",
  StagedGlobalNetworkPolicy: "staged, global",
};

const SORT_LABEL: Record<Sort, string> = { evaluation: "Evaluation order", name: "Name", pods: "Pods selected", order: "Order" };
const selectClass = "rounded-md border border-slate-300 bg-white px-2 py-2 text-sm";
const linkButton = "inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium hover:bg-slate-50";

const rowId = (p: Pick<BoardPolicy, "kind" | "namespace" | "name">) => `${p.kind}/${p.namespace ?? ""}/${p.name}`;

export function editHref(cluster: string, p: Pick<BoardPolicy, "kind" | "namespace" | "name">) {
  return `/policies/edit${qs({ cluster, kind: p.kind, namespace: p.namespace, name: p.name })}`;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function PolicyBoard({ canAuthor }: { canAuthor: boolean }) {
  const qc = useQueryClient();
  const picker = useClusterPicker();
  const { clusters } = picker;
  // `?cluster=` (links from the policy editor, bookmarks) picks the cluster without waiting for the list.
  const searchParams = useSearchParams();
  const [urlCluster, setUrlCluster] = useState(() => searchParams.get("cluster"));
  const cluster = urlCluster || picker.cluster;
  const setCluster = (name: string) => {
    setUrlCluster(null);
    picker.setCluster(name);
  };
  const [text, setText] = useState("");
  const q = useDebounced(text.trim(), 250);
  const [kind, setKind] = useState<Kind>("");
  const [tier, setTier] = useState("");
  const [sort, setSort] = useState<Sort>("evaluation");
  const [dir, setDir] = useState<"asc" | "desc">("asc");
  const [offset, setOffset] = useState(0);
  const [showPublished, setShowPublished] = useState(false);
  // Back to the first page whenever what is listed changes.
  const filterKey = `${cluster}|${q}|${kind}|${tier}|${sort}|${dir}`;
  const [lastFilterKey, setLastFilterKey] = useState(filterKey);
  if (filterKey !== lastFilterKey) {
    setLastFilterKey(filterKey);
    setOffset(0);
  }

  const draftQ = useMyDraft(cluster, canAuthor);
  const draft = draftQ.data ?? null;
  const draftChanges = draft?.items.length ?? 0;
  // Authors see (and reorder) the board with their own draft applied (the server finds it: one round trip); everyone else the published one.
  const params: BoardParams = { q, kind, tier, sort, dir, offset, limit: PAGE_SIZE, withDraft: canAuthor && !showPublished };
  const board = useQuery({
    queryKey: policyKeys.board(cluster, params),
    queryFn: () =>
      api<Board>(
        `/api/v1/clusters/${encodeURIComponent(cluster)}/policy-board${qs({
          q: params.q,
          kind: params.kind,
          tier: params.tier,
          sort: params.sort === "evaluation" ? undefined : params.sort,
          dir: params.sort === "evaluation" ? undefined : params.dir,
          offset: params.offset || undefined,
          limit: params.limit,
          withDraft: params.withDraft ? "true" : undefined,
        })}`,
      ),
    enabled: cluster !== "",
    placeholderData: keepPreviousData,
  });
  const b = board.data;
  const filtered = q !== "" || kind !== "";
  // Reordering: authors, in evaluation order, on the full tier lists (no text or kind filter), on the state they edit
  // (their draft applied, which is also where edits of drafted policies start from).
  const canDrag = canAuthor && sort === "evaluation" && !filtered && !showPublished && draftQ.isSuccess && !board.isPlaceholderData;

  // The dropped order, shown until a board fetched after the save replaces it.
  const [optimistic, setOptimistic] = useState<{ tier: string; ids: string[]; savedAt?: number } | null>(null);
  if (optimistic?.savedAt && board.isSuccess && !board.isFetching && !board.isPlaceholderData && board.dataUpdatedAt >= optimistic.savedAt) setOptimistic(null);
  const [reorderError, setReorderError] = useState<{ message: string; conflict: boolean } | null>(null);
  const reorder = useMutation({
    mutationFn: async (input: { changes: Array<{ id: string; order: number }>; rows: Map<string, BoardPolicy> }) => {
      const changes = await Promise.all(
        input.changes.map(async (c) => {
          const row = input.rows.get(c.id)!;
          const start = await editableResource(cluster, draft, row);
          if (!start.fromDraft && start.baseVersion !== row.version) {
            throw new ApiError(409, "conflict", `${row.display} was changed (now version ${start.baseVersion}) since the board was loaded.`);
          }
          const spec = (start.document.spec as Record<string, unknown> | undefined) ?? {};
          return { op: start.op, document: { ...start.document, spec: { ...spec, order: c.order } }, baseVersion: start.baseVersion };
        }),
      );
      return saveToDraft(cluster, { ...(draft ? {} : { title: `Reorder policies in ${cluster}` }), changes });
    },
    onMutate: () => setReorderError(null),
    onError: (err) => {
      setOptimistic(null);
      const conflict = err instanceof ApiError && err.status === 409;
      setReorderError({ message: conflict ? `${err.message} Reload the board and drag again.` : `Could not save the new order: ${err.message}`, conflict });
    },
    onSuccess: async () => {
      setShowPublished(false);
      setOptimistic((o) => o && { ...o, savedAt: Date.now() });
      await Promise.all([qc.invalidateQueries({ queryKey: draftKeys.mine(cluster) }), qc.invalidateQueries({ queryKey: policyKeys.boards(cluster) })]);
    },
  });

  const onDrop = (t: BoardTier, fromId: string, toId: string) => {
    const ids = t.policies.map(rowId);
    const from = ids.indexOf(fromId);
    const to = ids.indexOf(toId);
    if (from < 0 || to < 0 || from === to) return;
    const plan = planReorder(
      t.policies.map((p) => ({ id: rowId(p), order: p.order })),
      from,
      to,
      { before: t.before ? t.before.order : undefined, after: t.after ? t.after.order : undefined },
    );
    if (!plan.ok) {
      setReorderError({ message: `Cannot place it there: ${plan.reason}.`, conflict: false });
      return;
    }
    if (plan.changes.length === 0) return;
    setOptimistic({ tier: t.name, ids: arrayMove(ids, from, to) });
    reorder.mutate({ changes: plan.changes, rows: new Map(t.policies.map((p) => [rowId(p), p])) });
  };

  const first = b && b.total > 0 ? b.offset + 1 : 0;
  const last = b ? Math.min(b.offset + b.limit, b.total) : 0;
  return (
    <>
      <PageHeader
        title="Policies"
        description="Policies in evaluation order: tiers by order, then policies by order and name, as Calico evaluates them. Changes go through change requests."
        actions={
          <>
            {cluster && (
              <a href={`/api/v1/clusters/${encodeURIComponent(cluster)}/export`} download className={linkButton}>
                Export YAML
              </a>
            )}
            <Link href="/policies/test" className={linkButton}>Test a flow</Link>
            {canAuthor && cluster && (
              <Link href={`/policies/new${qs({ cluster })}`} className="inline-flex items-center rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700">
                New policy
              </Link>
            )}
          </>
        }
      />
      <ClusterSelect options={clusters.data?.items} value={cluster} onChange={setCluster} />
      {draft && draftChanges > 0 && (
        <DraftBanner draftId={draft.id} changes={draftChanges}>
          <span className="flex items-center gap-1" role="group" aria-label="Board state">
            <ViewToggle pressed={!showPublished} onClick={() => setShowPublished(false)}>With my draft</ViewToggle>
            <ViewToggle pressed={showPublished} onClick={() => setShowPublished(true)}>Published</ViewToggle>
          </span>
        </DraftBanner>
      )}
      {reorderError && (
        <Alert className="mb-4">
          {reorderError.message}{" "}
          {reorderError.conflict && (
            <Button size="sm" variant="secondary" onClick={() => { setReorderError(null); void qc.invalidateQueries({ queryKey: policyKeys.boards(cluster) }); void qc.invalidateQueries({ queryKey: draftKeys.mine(cluster) }); }}>
              Reload
            </Button>
          )}
        </Alert>
      )}
      {cluster && (
        <div className="mb-4 flex flex-wrap items-end gap-3" role="search" aria-label="Filter policies">
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Search
            <input type="search" className="w-64 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm" placeholder="name, namespace or selector" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Kind
            <select className={selectClass} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <option value="">All kinds</option>
              <option value="namespaced">Namespaced</option>
              <option value="global">Global</option>
              <option value="staged">Staged</option>
            </select>
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Tier
            <select className={selectClass} value={tier} onChange={(e) => setTier(e.target.value)}>
              <option value="">All tiers</option>
              {b?.tierNames.map((t) => <option key={t.name} value={t.name}>{t.name} ({t.policies})</option>)}
            </select>
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Sort by
            <select className={selectClass} value={sort} onChange={(e) => { const s = e.target.value as Sort; setSort(s); setDir(s === "pods" ? "desc" : "asc"); }}>
              {(Object.keys(SORT_LABEL) as Sort[]).map((s) => <option key={s} value={s}>{SORT_LABEL[s]}</option>)}
            </select>
          </label>
          {sort !== "evaluation" && (
            <Button variant="secondary" onClick={() => setDir(dir === "asc" ? "desc" : "asc")} aria-label={`Sort direction: ${dir === "asc" ? "ascending" : "descending"}`}>
              {dir === "asc" ? "↑ Ascending" : "↓ Descending"}
            </Button>
          )}
        </div>
      )}
      {(clusters.isPending || board.isPending) && <Loading />}
      {board.isError && <Alert>Could not load policies: {board.error.message}</Alert>}
      {b && b.totalPolicies === 0 && b.tiers.length === 0 && (
        <EmptyState title="No policies are published for this cluster">Every pod is allowed in both directions until a policy selects it. Propose policies in Changes.</EmptyState>
      )}
      {b && (b.totalPolicies > 0 || b.tiers.length > 0) && (
        <div className="flex flex-col gap-6" aria-busy={board.isFetching}>
          <p className="text-sm text-slate-600" data-testid="board-summary">
            Revision {b.revision}
            {b.changeRequest && <> with your draft (#{b.changeRequest.number}) applied</>} · <strong>{b.totalPolicies.toLocaleString()}</strong> polic{b.totalPolicies === 1 ? "y" : "ies"}
            {filtered || tier ? <> · {b.total.toLocaleString()} matching</> : null}
            {b.total > 0 && <> · showing {first.toLocaleString()}–{last.toLocaleString()}</>} · pod counts over {b.pods} running pods in the inventory
            {canAuthor && sort === "evaluation" && filtered && <> · clear the search and kind filters to reorder</>}
          </p>
          {b.total === 0 && b.tiers.length === 0 && <EmptyState title="No policy matches these filters" />}
          {b.sort === "evaluation"
            ? b.tiers.map((t) => {
                const ids = optimistic?.tier === t.name ? optimistic.ids : null;
                const byId = new Map(t.policies.map((p) => [rowId(p), p]));
                const rows = ids ? ids.map((id) => byId.get(id)).filter((p): p is BoardPolicy => p !== undefined) : t.policies;
                return <TierCard key={t.name} cluster={cluster} tier={t} rows={rows} draggable={canDrag && !reorder.isPending} onDrop={(a, o) => onDrop(t, a, o)} />;
              })
            : b.policies.length > 0 && <FlatTable cluster={cluster} rows={b.policies} />}
          {b.total > b.limit && (
            <nav className="flex items-center justify-between text-sm" aria-label="Pages">
              <Button variant="secondary" disabled={b.offset === 0} onClick={() => setOffset(Math.max(0, b.offset - b.limit))}>Previous</Button>
              <span className="text-slate-600">
                Page {Math.floor(b.offset / b.limit) + 1} of {Math.ceil(b.total / b.limit)}
              </span>
              <Button variant="secondary" disabled={b.offset + b.limit >= b.total} onClick={() => setOffset(b.offset + b.limit)}>Next</Button>
            </nav>
          )}
        </div>
      )}
    </>
  );
}

function ViewToggle({ pressed, onClick, children }: { pressed: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button type="button" aria-pressed={pressed} onClick={onClick} className={`rounded px-2 py-1 text-xs font-medium ${pressed ? "bg-amber-200 text-amber-950" : "text-amber-900 hover:bg-amber-100"}`}>
      {children}
    </button>
  );
}

const TH = "py-2 pr-3 font-medium";

function HeaderRow({ withTier, draggable }: { withTier?: boolean; draggable?: boolean }) {
  return (
    <tr>
      {draggable && <th scope="col" className="w-8 py-2 pr-1"><span className="sr-only">Reorder</span></th>}
      <th scope="col" className={TH}>Order</th>
      <th scope="col" className={TH}>Policy</th>
      {withTier && <th scope="col" className={TH}>Tier</th>}
      <th scope="col" className={TH}>Selector</th>
      <th scope="col" className={TH}>Directions</th>
      <th scope="col" className={`${TH} text-right`}>Rules in / out</th>
      <th scope="col" className="py-2 text-right font-medium">Pods selected</th>
    </tr>
  );
}

function Cells({ cluster, p, withTier }: { cluster: string; p: BoardPolicy; withTier?: boolean }) {
  return (
    <>
      <td className="py-2 pr-3 tabular-nums">{p.order ?? "–"}</td>
      <td className="py-2 pr-3">
        <Link href={editHref(cluster, p)} className="font-mono text-brand-700 hover:underline">
          {p.namespace ? `${p.namespace}/` : ""}{p.name}
        </Link>{" "}
        <Badge tone={p.staged ? "amber" : p.kind.includes("Global") ? "blue" : "slate"}>{KIND_LABEL[p.kind] ?? p.kind}</Badge>
        {p.change && <> <Badge tone="amber">{p.change === "create" ? "new in draft" : "changed in draft"}</Badge></>}
      </td>
      {withTier && <td className="py-2 pr-3 font-mono text-xs">{p.tier}</td>}
      <td className="max-w-md py-2 pr-3 font-mono text-xs break-all">{p.selector}</td>
      <td className="py-2 pr-3 text-xs">{p.types.join(", ")}</td>
      <td className="py-2 pr-3 text-right tabular-nums">{p.ingressRules} / {p.egressRules}</td>
      <td className="py-2 text-right tabular-nums font-medium">{p.selectedPods}</td>
    </>
  );
}

function FlatTable({ cluster, rows }: { cluster: string; rows: BoardPolicy[] }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <table className="w-full text-left text-sm" aria-label="Policies">
        <thead className="text-xs uppercase text-slate-500"><HeaderRow withTier /></thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((p) => (
            <tr key={rowId(p)} data-testid={`board-policy-${p.name}`}>
              <Cells cluster={cluster} p={p} withTier />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TierCard({ cluster, tier: t, rows, draggable, onDrop }: { cluster: string; tier: BoardTier; rows: BoardPolicy[]; draggable: boolean; onDrop: (activeId: string, overId: string) => void }) {
  const shownFrom = t.before ? "continued from the previous page · " : "";
  return (
    <Card
      title={
        <span>
          Tier <span className="font-mono">{t.name}</span>{" "}
          <span className="text-xs font-normal text-slate-500">
            order {t.order ?? "none (last)"} · end of tier: {t.defaultAction === "Pass" ? "pass to the next tier" : "deny"}
            {!t.defined && " · not defined"} · {shownFrom}
            {t.total} polic{t.total === 1 ? "y" : "ies"}
          </span>
        </span>
      }
    >
      {t.policies.length === 0 ? (
        <p className="text-sm text-slate-500">No policies in this tier.</p>
      ) : (
        <div className="overflow-x-auto">
          {draggable ? <SortableTable cluster={cluster} tier={t} rows={rows} onDrop={onDrop} /> : (
            <table className="w-full text-left text-sm" aria-label={`Policies in tier ${t.name}`}>
              <thead className="text-xs uppercase text-slate-500"><HeaderRow /></thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((p) => (
                  <tr key={rowId(p)} data-testid={`board-policy-${p.name}`}>
                    <Cells cluster={cluster} p={p} />
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </Card>
  );
}

function SortableTable({ cluster, tier: t, rows, onDrop }: { cluster: string; tier: BoardTier; rows: BoardPolicy[]; onDrop: (activeId: string, overId: string) => void }) {
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const ids = useMemo(() => rows.map(rowId), [rows]);
  const label = useMemo(() => new Map(rows.map((p) => [rowId(p), `${p.namespace ? `${p.namespace}/` : ""}${p.name}`])), [rows]);
  const name = (id: string | number | undefined) => label.get(String(id)) ?? String(id);
  const positionOf = (id: string | number | undefined) => ids.indexOf(String(id)) + 1;
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up policy ${name(active.id)}, position ${positionOf(active.id)} of ${ids.length} in tier ${t.name}.`,
    onDragOver: ({ active, over }) => (over ? `Policy ${name(active.id)} moved to position ${positionOf(over.id)} of ${ids.length}.` : `Policy ${name(active.id)} is no longer over the list.`),
    onDragEnd: ({ active, over }) => (over ? `Policy ${name(active.id)} dropped at position ${positionOf(over.id)}; saving the new order to your draft.` : `Policy ${name(active.id)} dropped.`),
    onDragCancel: ({ active }) => `Moving policy ${name(active.id)} was cancelled.`,
  };
  const onDragEnd = (e: DragEndEvent) => {
    if (e.over && e.active.id !== e.over.id) onDrop(String(e.active.id), String(e.over.id));
  };
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={onDragEnd}
      accessibility={{ announcements, screenReaderInstructions: { draggable: "To reorder a policy, press space or enter on its handle, move it with the up and down arrow keys, and press space or enter again to drop it (escape cancels). The new order is saved to your draft change request." } }}
    >
      <table className="w-full text-left text-sm" aria-label={`Policies in tier ${t.name}`}>
        <thead className="text-xs uppercase text-slate-500"><HeaderRow draggable /></thead>
        <tbody className="divide-y divide-slate-100">
          <SortableContext items={ids} strategy={verticalListSortingStrategy}>
            {rows.map((p) => <SortableRow key={rowId(p)} cluster={cluster} p={p} />)}
          </SortableContext>
        </tbody>
      </table>
    </DndContext>
  );
}

function SortableRow({ cluster, p }: { cluster: string; p: BoardPolicy }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: rowId(p) });
  return (
    <tr
      ref={setNodeRef}
      data-testid={`board-policy-${p.name}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      className={isDragging ? "relative z-10 bg-brand-50 shadow-md" : undefined}
    >
      <td className="w-8 py-2 pr-1 align-middle">
        <button
          type="button"
          ref={setActivatorNodeRef}
          {...attributes}
          {...listeners}
          aria-label={`Reorder ${p.namespace ? `${p.namespace}/` : ""}${p.name}`}
          className="cursor-grab touch-none rounded px-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 active:cursor-grabbing"
        >
          <svg aria-hidden="true" width="12" height="16" viewBox="0 0 12 16" fill="currentColor">
            {[2, 8, 14].map((y) => [3, 9].map((x) => <circle key={`${x}-${y}`} cx={x} cy={y} r="1.5" />))}
          </svg>
        </button>
      </td>
      <Cells cluster={cluster} p={p} />
    </tr>
  );
}


"use client";

import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useMemo } from "react";
import { useForm } from "react-hook-form";
import { countRanges, ipv4ToNumber, rangesContain, usablePoolRanges } from "@/server/policy/egress-space";
import { issuesFromZod, selectorProblem } from "@/server/policy/resources/common";
import { ZEgressIPPool } from "@/server/policy/resources/egress";
import { api, ApiError } from "../api";
import { useSaveToDraft, type SavedToDraft } from "../draft/draft";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { Field } from "../ui/field";
import { TextareaField } from "../ui/select-field";
import { messagesByField, serverIssues, splitList, type FieldOf } from "./form-bits";
import { egressKeys, type FreeIps } from "./keys";

export interface PoolValues {
  name: string;
  cidrs: string[];
  exclude: string[];
  gatewayNodeSelector: string;
  description: string;
}

type FormValues = { name: string; cidrs: string; exclude: string; gatewayNodeSelector: string; description: string };
type PoolField = keyof FormValues | "root";

const fieldOf: FieldOf<PoolField> = (path) => {
  if (path[0] === "metadata") return "name";
  if (path[0] === "spec" && (path[1] === "cidrs" || path[1] === "exclude" || path[1] === "gatewayNodeSelector" || path[1] === "description")) return path[1];
  return "root";
};

function documentOf(v: FormValues) {
  const exclude = splitList(v.exclude);
  return {
    apiVersion: "portcullis.dev/v1",
    kind: "EgressIPPool",
    metadata: { name: v.name.trim() },
    spec: {
      cidrs: splitList(v.cidrs),
      ...(exclude.length ? { exclude } : {}),
      ...(v.gatewayNodeSelector.trim() ? { gatewayNodeSelector: v.gatewayNodeSelector.trim() } : {}),
      ...(v.description.trim() ? { description: v.description.trim() } : {}),
    },
  };
}

/**
 * Create or edit an egress IP pool: CIDRs, exclusions, which nodes may act as gateways (selector
 * checked as you type) and a description, with the pool's utilisation recomputed from what you
 * type. Checked with the engine's own schema in the browser, then saved into your draft.
 */
export function PoolDialog({
  cluster,
  editing,
  onClose,
  onSaved,
}: {
  cluster: string;
  /** The pool being edited (its published version, or your drafted one), or null for a new pool. */
  editing: { values: PoolValues; version: number; inDraft: boolean } | null;
  onClose: () => void;
  onSaved: (saved: SavedToDraft) => void;
}) {
  const form = useForm<FormValues>({
    defaultValues: editing
      ? { name: editing.values.name, cidrs: editing.values.cidrs.join("\n"), exclude: editing.values.exclude.join("\n"), gatewayNodeSelector: editing.values.gatewayNodeSelector, description: editing.values.description }
      : { name: "", cidrs: "", exclude: "", gatewayNodeSelector: "", description: "" },
  });
  const save = useSaveToDraft(cluster, { exact: [egressKeys.view(cluster)], under: [egressKeys.freeAll(cluster)] });
  const values = form.watch();
  const deferredCidrs = useDeferredValue(values.cidrs);
  const deferredExclude = useDeferredValue(values.exclude);
  const usable = useMemo(() => usablePoolRanges({ cidrs: splitList(deferredCidrs), exclude: splitList(deferredExclude) }), [deferredCidrs, deferredExclude]);
  const size = countRanges(usable);
  // Who holds addresses of this pool now (published plus your draft): they must stay inside it.
  const holders = useQuery({
    queryKey: egressKeys.free(cluster, editing?.values.name ?? "", { pageSize: 1 }),
    queryFn: () => api<FreeIps>(`/api/v1/clusters/${encodeURIComponent(cluster)}/egress/pools/${encodeURIComponent(editing!.values.name)}/free-ips?pageSize=1`),
    enabled: editing !== null,
  });
  const assigned = holders.data?.assigned.filter((a) => a.pool === editing?.values.name) ?? [];
  const stranded = assigned.filter((a) => !rangesContain(usable, ipv4ToNumber(a.ip) ?? -1));
  const selector = values.gatewayNodeSelector.trim();
  const selectorError = selector ? selectorProblem(selector) : null;
  const errors = form.formState.errors;

  const onSubmit = form.handleSubmit(async (v) => {
    form.clearErrors();
    const doc = documentOf(v);
    const parsed = ZEgressIPPool.safeParse(doc);
    if (!parsed.success) {
      const byField = messagesByField(issuesFromZod(parsed.error), fieldOf);
      for (const [f, message] of Object.entries(byField)) form.setError(f as PoolField, { message });
      return;
    }
    try {
      const saved = await save.mutateAsync({
        title: `${editing ? "Update" : "Create"} egress IP pool ${doc.metadata.name}`,
        changes: [{ op: editing && editing.version > 0 ? "update" : "create", document: doc, baseVersion: editing?.version ?? 0 }],
      });
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        const byField = messagesByField(serverIssues(err), fieldOf);
        for (const [f, message] of Object.entries(byField)) form.setError(f as PoolField, { message });
      } else form.setError("root", { message: err instanceof Error ? err.message : String(err) });
    }
  });

  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={editing ? `Edit egress IP pool ${editing.values.name}` : "New egress IP pool"}
      description="Addresses namespaces leave the cluster from. Saved into your draft change request; nothing changes until it is reviewed and published."
    >
      <form noValidate className="flex max-h-[70vh] flex-col gap-3 overflow-y-auto pr-1" onSubmit={(e) => void onSubmit(e)}>
        {errors.root?.message && <Alert>{errors.root.message}</Alert>}
        {editing?.inDraft && <Alert tone="info">You are editing the version in your draft.</Alert>}
        <Field label="Name" disabled={editing !== null} error={errors.name?.message} hint={editing ? undefined : "A DNS name, e.g. dmz-egress"} {...form.register("name")} />
        <TextareaField
          label="CIDRs"
          rows={3}
          placeholder="198.51.100.0/28"
          hint="One IPv4 CIDR per line, routable from outside the cluster."
          error={errors.cidrs?.message}
          {...form.register("cidrs")}
        />
        <TextareaField
          label="Exclusions"
          rows={2}
          placeholder={"198.51.100.1\n198.51.100.8/30"}
          hint="Addresses or ranges inside the pool that are never handed out (routers, reserved addresses)."
          error={errors.exclude?.message}
          {...form.register("exclude")}
        />
        <Field
          label="Gateway node selector"
          placeholder='egress == "true"'
          error={errors.gatewayNodeSelector?.message ?? selectorError ?? undefined}
          hint={selector ? (selectorError ? undefined : "Valid selector: nodes with matching labels may carry this pool's addresses.") : "Empty: every node may be a gateway (all())."}
          {...form.register("gatewayNodeSelector")}
        />
        <Field label="Description" error={errors.description?.message} {...form.register("description")} />
        <div data-testid="pool-utilisation" className="rounded-md bg-slate-50 p-3 text-sm" aria-live="polite">
          <p>
            <strong className="tabular-nums">{size.toLocaleString()}</strong> usable address{size === 1 ? "" : "es"}
            {editing && (
              <>
                {" "}· <strong className="tabular-nums">{assigned.length}</strong> assigned
              </>
            )}
          </p>
          {size > 0 && editing && (
            <div className="mt-1 h-2 rounded bg-slate-200" role="img" aria-label={`${assigned.length} of ${size} used`}>
              <div className="h-2 rounded bg-brand-500" style={{ width: `${Math.min(100, (100 * assigned.length) / size)}%` }} />
            </div>
          )}
          <p className="mt-1 text-xs text-slate-500">Network and broadcast addresses of each CIDR up to /30, and exclusions, are never handed out.</p>
          {stranded.length > 0 && (
            <p role="alert" className="mt-2 text-xs font-medium text-red-700">
              {stranded.map((a) => `${a.ip} (namespace ${a.namespace}/${a.name})`).join(", ")} would no longer be usable in this pool.
            </p>
          )}
        </div>
        <div className="mt-2 flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={form.formState.isSubmitting || Boolean(selectorError)}>
            {form.formState.isSubmitting ? "Saving…" : "Save to draft"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

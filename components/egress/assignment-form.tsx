"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { useForm } from "react-hook-form";
import { ipv4ToNumber } from "@/server/policy/egress-space";
import { issuesFromZod, selectorProblem } from "@/server/policy/resources/common";
import { ZEgressAssignment } from "@/server/policy/resources/egress";
import { api, ApiError, qs } from "../api";
import { useSaveToDraft, type SavedToDraft } from "../draft/draft";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { Field } from "../ui/field";
import { SelectField, TextareaField } from "../ui/select-field";
import { ipProblem, messagesByField, serverIssues, splitList, type FieldOf } from "./form-bits";
import { egressKeys, type FreeIps } from "./keys";

export interface AssignmentSpec {
  pool?: string;
  ip?: string;
  podSelector?: string;
  destinations?: { nets?: string[]; networkSetSelector?: string };
  description?: string;
}

type IpMode = "auto" | "pick" | "type";
type FormValues = {
  namespace: string;
  name: string;
  pool: string;
  podSelector: string;
  scope: "all" | "some";
  nets: string;
  networkSetSelector: string;
  ipMode: IpMode;
  pickedIp: string;
  typedIp: string;
  description: string;
};
type AssignmentField = keyof FormValues | "ip" | "root";

const fieldOf: FieldOf<AssignmentField> = (path) => {
  if (path[0] === "metadata") return path[1] === "namespace" ? "namespace" : "name";
  if (path[0] !== "spec") return "root";
  if (path[1] === "destinations") return path[2] === "networkSetSelector" ? "networkSetSelector" : "nets";
  if (path[1] === "ip") return "ip";
  if (path[1] === "pool" || path[1] === "podSelector" || path[1] === "description") return path[1];
  return "root";
};

const PAGE = 24;

/**
 * Assign an egress IP to a namespace: the namespace (from the inventory), the pool, an optional
 * pod selector, where the fixed address applies (all traffic leaving the cluster, or some nets
 * and network sets), and the address: auto-allocated, picked from the pool's free addresses
 * (the published state plus your draft), or typed and checked as you type. Saved into your draft.
 */
export function AssignmentDialog({
  cluster,
  pools,
  existing,
  editing,
  onClose,
  onSaved,
}: {
  cluster: string;
  /** Pools to choose from (published ones and those in your draft). */
  pools: string[];
  /** namespace/name of assignments that exist (published or drafted): a new one must not reuse them. */
  existing: ReadonlySet<string>;
  editing: { namespace: string; name: string; spec: AssignmentSpec; version: number; inDraft: boolean } | null;
  onClose: () => void;
  onSaved: (saved: SavedToDraft) => void;
}) {
  const spec = editing?.spec ?? {};
  const form = useForm<FormValues>({
    defaultValues: {
      namespace: editing?.namespace ?? "",
      name: editing?.name ?? "egress",
      pool: spec.pool ?? pools[0] ?? "",
      podSelector: spec.podSelector ?? "",
      scope: spec.destinations ? "some" : "all",
      nets: (spec.destinations?.nets ?? []).join("\n"),
      networkSetSelector: spec.destinations?.networkSetSelector ?? "",
      ipMode: spec.ip ? "type" : "auto",
      pickedIp: "",
      typedIp: spec.ip ?? "",
      description: spec.description ?? "",
    },
  });
  const v = form.watch();
  const errors = form.formState.errors;
  const [page, setPage] = useState(1);
  const [fromText, setFromText] = useState("");
  const from = useDeferredValue(fromText.trim());
  const fromValid = from === "" || ipv4ToNumber(from) !== null;
  const save = useSaveToDraft(cluster, { exact: [egressKeys.view(cluster)], under: [egressKeys.freeAll(cluster)] });

  const namespaces = useQuery({
    queryKey: egressKeys.namespaces(cluster),
    queryFn: () => api<{ items: Array<{ name: string; pods: number }> }>(`/api/v1/clusters/${encodeURIComponent(cluster)}/namespaces`),
    enabled: editing === null,
  });
  const name = v.name.trim();
  const who = v.namespace && name ? { namespace: v.namespace, name } : {};
  const params = { page, pageSize: PAGE, from: fromValid && from ? from : undefined, ...who };
  const free = useQuery({
    queryKey: egressKeys.free(cluster, v.pool, params),
    queryFn: () => api<FreeIps>(`/api/v1/clusters/${encodeURIComponent(cluster)}/egress/pools/${encodeURIComponent(v.pool)}/free-ips${qs(params)}`),
    enabled: v.pool !== "",
    placeholderData: keepPreviousData,
  });
  const f = free.data && free.data.pool.name === v.pool ? free.data : undefined;
  const pages = f ? Math.max(1, Math.ceil(f.total / f.pageSize)) : 1;
  const typed = v.typedIp.trim();
  const typedProblem = v.ipMode === "type" && typed ? ipProblem(typed, f) : null;
  const podSelectorError = v.podSelector.trim() ? selectorProblem(v.podSelector.trim()) : null;
  const setSelectorError = v.scope === "some" && v.networkSetSelector.trim() ? selectorProblem(v.networkSetSelector.trim()) : null;
  const duplicate = editing === null && v.namespace !== "" && existing.has(`${v.namespace}/${name}`);

  const setFieldError = (f: AssignmentField, message: string) => form.setError(f === "ip" ? "root.ip" : f, { message });
  const onSubmit = form.handleSubmit(async (values) => {
    form.clearErrors();
    const ip = values.ipMode === "pick" ? values.pickedIp : values.ipMode === "type" ? values.typedIp.trim() : "";
    if (values.ipMode === "pick" && !ip) return setFieldError("ip", "pick one of the free addresses");
    if (values.ipMode === "type" && !ip) return setFieldError("ip", "type an address, or let the console allocate one");
    const nets = splitList(values.nets);
    const doc = {
      apiVersion: "portcullis.dev/v1",
      kind: "EgressAssignment",
      metadata: { name: values.name.trim(), namespace: values.namespace },
      spec: {
        pool: values.pool,
        ...(ip ? { ip } : {}),
        ...(values.podSelector.trim() ? { podSelector: values.podSelector.trim() } : {}),
        ...(values.scope === "some" ? { destinations: { ...(nets.length ? { nets } : {}), ...(values.networkSetSelector.trim() ? { networkSetSelector: values.networkSetSelector.trim() } : {}) } } : {}),
        ...(values.description.trim() ? { description: values.description.trim() } : {}),
      },
    };
    if (!values.namespace) return form.setError("namespace", { message: "pick the namespace" });
    const parsed = ZEgressAssignment.safeParse(doc);
    if (!parsed.success) {
      for (const [k, message] of Object.entries(messagesByField(issuesFromZod(parsed.error), fieldOf))) setFieldError(k as AssignmentField, message!);
      return;
    }
    try {
      const saved = await save.mutateAsync({
        title: `Egress IP for namespace ${values.namespace}`,
        changes: [{ op: editing && editing.version > 0 ? "update" : "create", document: doc, baseVersion: editing?.version ?? 0 }],
      });
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.errors.length && err.code === "validation_failed") {
        for (const [k, message] of Object.entries(messagesByField(serverIssues(err), fieldOf))) setFieldError(k as AssignmentField, message!);
      } else form.setError("root", { message: err instanceof Error ? err.message : String(err) });
    }
  });

  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={editing ? `Edit egress IP of ${editing.namespace}/${editing.name}` : "Assign an egress IP"}
      description="A fixed source address for a namespace's traffic leaving the cluster. Saved into your draft change request."
    >
      <form noValidate className="flex max-h-[72vh] flex-col gap-3 overflow-y-auto pr-1" onSubmit={(e) => void onSubmit(e)}>
        {errors.root?.message && <Alert>{errors.root.message}</Alert>}
        {editing?.inDraft && <Alert tone="info">You are editing the version in your draft.</Alert>}
        <div className="grid grid-cols-2 gap-3">
          {editing ? (
            <Field label="Namespace" value={editing.namespace} disabled readOnly />
          ) : (
            <SelectField
              label="Namespace"
              error={errors.namespace?.message ?? (namespaces.isError ? `Could not load namespaces: ${namespaces.error.message}` : undefined)}
              {...form.register("namespace")}
            >
              <option value="">{namespaces.isPending ? "Loading namespaces…" : "Choose a namespace"}</option>
              {namespaces.data?.items.map((n) => (
                <option key={n.name} value={n.name}>
                  {n.name} ({n.pods} pod{n.pods === 1 ? "" : "s"})
                </option>
              ))}
            </SelectField>
          )}
          <Field
            label="Assignment name"
            disabled={editing !== null}
            error={errors.name?.message ?? (duplicate ? `namespace ${v.namespace} already has an assignment named ${name}: edit it instead` : undefined)}
            {...form.register("name")}
          />
        </div>
        <SelectField
          label="Pool"
          error={errors.pool?.message}
          hint={f ? <span data-testid="pool-summary">{f.pool.cidrs.join(", ")} · {f.free.toLocaleString()} of {f.usable.toLocaleString()} usable addresses free (published state plus your draft)</span> : undefined}
          {...form.register("pool", {
            onChange: () => {
              setPage(1);
              form.setValue("pickedIp", "");
            },
          })}
        >
          {pools.length === 0 && <option value="">No egress IP pool yet: create one first</option>}
          {pools.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </SelectField>
        <Field
          label="Pod selector (optional)"
          placeholder='app == "checkout"'
          hint="Empty: every pod of the namespace."
          error={errors.podSelector?.message ?? podSelectorError ?? undefined}
          {...form.register("podSelector")}
        />
        <fieldset className="flex flex-col gap-2 rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium text-slate-700">Traffic that leaves from this address</legend>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" value="all" {...form.register("scope")} /> All traffic leaving the cluster
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" value="some" {...form.register("scope")} /> Only traffic to some destinations
          </label>
          {v.scope === "some" && (
            <div className="flex flex-col gap-2 pl-6">
              <TextareaField label="Destination CIDRs" rows={2} placeholder="203.0.113.0/24" error={errors.nets?.message} {...form.register("nets")} />
              <Field label="and/or network sets selected by" placeholder='partner == "bank"' error={errors.networkSetSelector?.message ?? setSelectorError ?? undefined} {...form.register("networkSetSelector")} />
            </div>
          )}
        </fieldset>
        <fieldset className="flex flex-col gap-2 rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium text-slate-700">Egress IP</legend>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" value="auto" {...form.register("ipMode")} /> Allocate automatically
          </label>
          {v.ipMode === "auto" && (
            <div className="pl-6 text-xs text-slate-600" aria-live="polite" data-testid="auto-ip">
              {!v.namespace || !name ? (
                "Pick the namespace to see which address it would get."
              ) : f?.auto?.ip ? (
                <>
                  Would get <span className="font-mono font-medium">{f.auto.ip}</span>, the pool&apos;s lowest free address. Automatic addresses are recomputed at each revision.
                </>
              ) : f?.auto?.problem ? (
                <span className="text-red-700">{f.auto.problem}</span>
              ) : (
                "Working out the address…"
              )}
              {f?.auto && f.auto.moves.length > 0 && (
                <p role="alert" className="mt-1 font-medium text-amber-800">
                  This moves {f.auto.moves.map((m) => `${m.namespace}/${m.name} from ${m.from} to ${m.to ?? "no address"}`).join(", ")}: pick or type an address to keep theirs.
                </p>
              )}
            </div>
          )}
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" value="pick" {...form.register("ipMode")} /> Pick a free address
          </label>
          {v.ipMode === "pick" && (
            <div className="flex flex-col gap-2 pl-6">
              <Field
                label="Start from"
                placeholder={f?.pool.cidrs[0]?.split("/")[0] ?? "198.51.100.0"}
                value={fromText}
                onChange={(e) => {
                  setFromText(e.target.value);
                  setPage(1);
                }}
                error={fromValid ? undefined : "type an IPv4 address"}
              />
              {free.isPending && v.pool ? (
                <p className="text-xs text-slate-500">Loading free addresses…</p>
              ) : free.isError ? (
                <p role="alert" className="text-xs text-red-700">Could not load free addresses: {free.error.message}</p>
              ) : f && f.items.length === 0 ? (
                <p className="text-xs text-slate-600">No free address{from ? ` from ${from} on` : ""} in this pool.</p>
              ) : (
                f && (
                  <div role="radiogroup" aria-label="Free addresses" className="grid grid-cols-3 gap-1" data-testid="free-ips">
                    {f.items.map((ip) => (
                      <label key={ip} className={`flex cursor-pointer items-center gap-1.5 whitespace-nowrap rounded border px-1.5 py-1 font-mono text-xs ${v.pickedIp === ip ? "border-brand-500 bg-brand-50" : "border-slate-200"}`}>
                        <input type="radio" value={ip} {...form.register("pickedIp")} />
                        {ip}
                      </label>
                    ))}
                  </div>
                )
              )}
              {f && f.total > 0 && (
                <div className="flex items-center justify-between text-xs text-slate-600">
                  <span>
                    {f.total.toLocaleString()} free{from ? ` from ${from}` : ""} · page {f.page} of {pages}
                  </span>
                  <span className="flex gap-1">
                    <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
                      Previous
                    </Button>
                    <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
                      Next
                    </Button>
                  </span>
                </div>
              )}
            </div>
          )}
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" value="type" {...form.register("ipMode")} /> Type an address
          </label>
          {v.ipMode === "type" && (
            <div className="pl-6">
              <Field
                label="Address"
                placeholder="198.51.100.10"
                className="max-w-xs"
                error={typedProblem ?? undefined}
                hint={typed && !typedProblem && f ? `${typed} is free in pool ${f.pool.name}.` : undefined}
                {...form.register("typedIp")}
              />
            </div>
          )}
          {errors.root?.ip?.message && (
            <p role="alert" className="text-xs font-medium text-red-600" data-testid="ip-error">
              {errors.root.ip.message}
            </p>
          )}
        </fieldset>
        <Field label="Description (optional)" error={errors.description?.message} {...form.register("description")} />
        <div className="mt-2 flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={form.formState.isSubmitting || Boolean(typedProblem || podSelectorError || setSelectorError || duplicate) || pools.length === 0}>
            {form.formState.isSubmitting ? "Saving…" : "Save to draft"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

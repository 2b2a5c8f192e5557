"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { Tabs } from "radix-ui";
import { useCallback, useDeferredValue, useEffect, useId, useMemo, useReducer, useState } from "react";
import { defaultPolicyTypes, POLICY_TYPES } from "@/server/policy/resources/policy";
import { ApiError } from "../../api";
import { changeKeys } from "../../changes/keys";
import { Alert } from "../../ui/alert";
import { Button } from "../../ui/button";
import { Badge, Card } from "../../ui/card";
import { cn } from "../../ui/cn";
import { Field } from "../../ui/field";
import { policyEditorKeys, saveToDraft, type Draft, type SaveResult } from "./data";
import { asArray, asString, displayScalar, getIn, isRecord, resourceRef, rulesOf, type Direction, type Doc, type Path, type PolicyKind } from "./document";
import { editorReducer, initialState } from "./editor-state";
import { EditorEnvContext, type EditorEnv } from "./env";
import { IssueText, LabelsEditor, NumberField } from "./fields";
import { DOCUMENT_PATH, groupByPrefix, issuesAt, issuesFromServer, validateDocument, type Issue } from "./issues";
import { policyLike, previewFor, type InventoryModel, type NetworkSetInfo } from "./preview";
import { RuleCard } from "./rule-card";
import { SelectorField } from "./selector-field";
import { docToYaml } from "./yaml-doc";

export interface EditorTarget {
  /** "create" for a new policy (or one only your draft creates), "update" for a published one. */
  op: "create" | "update";
  /** Version of the published resource the editor started from (0 for new). */
  baseVersion: number;
  /** Identity of the edited resource (edit page): kind, namespace and name stay fixed. */
  identity: { kind: string; namespace: string | null; name: string } | null;
}

export interface PolicyEditorProps {
  cluster: string;
  initialDoc: Doc;
  target: EditorTarget;
  canAuthor: boolean;
  model: InventoryModel | null;
  networkSets: readonly NetworkSetInfo[];
  tiers: readonly string[];
  namespaces: readonly string[];
  draft: Draft | null | undefined;
  /** Reloads the published version (after a conflict). */
  onReload?: () => void;
}

/** Moves focus to the field an issue names (or its nearest rendered ancestor). */
function focusIssue(path: string): void {
  let p = path;
  for (;;) {
    const el = document.querySelector<HTMLElement>(`[data-path="${CSS.escape(p)}"]`);
    if (el) {
      for (let d = el.closest("details"); d; d = d.parentElement?.closest("details") ?? null) d.open = true;
      const target = el.matches("input, select, textarea, button") ? el : (el.querySelector<HTMLElement>("input, select, textarea, button") ?? el);
      target.focus();
      target.scrollIntoView({ block: "center" });
      return;
    }
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) return;
    p = p.slice(0, cut);
  }
}

function IssueSummary({ issues, id }: { issues: readonly Issue[]; id: string }) {
  if (issues.length === 0) return null;
  return (
    <div id={id} tabIndex={-1} className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="issue-summary">
      <p className="font-medium">
        {issues.length === 1 ? "1 problem" : `${issues.length} problems`} to fix before saving:
      </p>
      <ul className="mt-1 flex flex-col gap-0.5">
        {issues.slice(0, 20).map((i, n) => (
          <li key={n}>
            <button type="button" className="text-left underline decoration-red-300 hover:decoration-red-700" onClick={() => focusIssue(i.path)}>
              <code className="mr-1 text-xs">{i.path}</code>
            </button>
            {i.message}
          </li>
        ))}
        {issues.length > 20 && <li>… and {issues.length - 20} more</li>}
      </ul>
    </div>
  );
}

function TypesField({ doc, onChange, issues }: { doc: Doc; onChange: (path: Path, value: unknown) => void; issues: readonly Issue[] }) {
  const types = asArray(getIn(doc, ["spec", "types"])).filter((t): t is string => typeof t === "string");
  const explicit = types.length > 0;
  const defaults = defaultPolicyTypes({ ingress: rulesOf(doc, "ingress") as never, egress: rulesOf(doc, "egress") as never });
  const effective = explicit ? types : defaults;
  const ignored = (["ingress", "egress"] as const).filter((d) => rulesOf(doc, d).length > 0 && !effective.includes(d === "ingress" ? "Ingress" : "Egress"));
  return (
    <fieldset className="flex flex-col gap-1" data-path="spec.types">
      <legend className="text-sm font-medium text-slate-700">Types</legend>
      <div className="flex gap-4">
        {POLICY_TYPES.map((t) => (
          <label key={t} className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={types.includes(t)}
              onChange={(e) => {
                const next = POLICY_TYPES.filter((x) => (x === t ? e.target.checked : types.includes(x)));
                onChange(["spec", "types"], next.length ? next : undefined);
              }}
            />
            {t}
          </label>
        ))}
      </div>
      <p className="text-xs text-slate-500">
        {explicit ? "The policy applies in the ticked directions." : `None ticked: Calico defaults to ${defaults.join(" and ")} from the rules present.`}
      </p>
      {ignored.map((d) => (
        <p key={d} className="text-xs font-medium text-amber-800">
          The {d} rules are ignored: {d === "ingress" ? "Ingress" : "Egress"} is not in the policy&apos;s types.
        </p>
      ))}
      <IssueText issues={issues} base="spec.types" />
    </fieldset>
  );
}

export function PolicyEditor({ cluster, initialDoc, target, canAuthor, model, networkSets, tiers, namespaces, draft, onReload }: PolicyEditorProps) {
  const [state, dispatch] = useReducer(editorReducer, initialDoc, initialState);
  const qc = useQueryClient();
  const summaryId = useId();
  const nsListId = useId();
  const [title, setTitle] = useState("");
  const [saved, setSaved] = useState<{ result: SaveResult; revision: number } | null>(null);
  // The list of problems appears once the user tries to save (fields show theirs as they go).
  const [attempted, setAttempted] = useState(false);
  const { doc } = state;

  const onChange = useCallback((path: Path, value: unknown) => dispatch({ type: "set", path, value }), []);
  const onMove = useCallback((direction: Direction, index: number, delta: -1 | 1) => dispatch({ type: "moveRule", direction, index, delta }), []);
  const onRemove = useCallback((direction: Direction, index: number) => dispatch({ type: "removeRule", direction, index }), []);

  const kind: PolicyKind = doc.kind === "GlobalNetworkPolicy" ? "GlobalNetworkPolicy" : "NetworkPolicy";
  const namespace = kind === "NetworkPolicy" ? asString(getIn(doc, ["metadata", "namespace"])) || "default" : null;

  // Validation runs on a deferred copy so typing never waits for it.
  const deferredDoc = useDeferredValue(doc);
  const validation = useMemo(() => validateDocument(deferredDoc), [deferredDoc]);
  const identityIssues = useMemo<Issue[]>(() => {
    if (!target.identity) return [];
    const ref = resourceRef(deferredDoc);
    const id = target.identity;
    if (ref.kind === id.kind && ref.name === id.name && (ref.namespace ?? null) === (id.namespace ?? null)) return [];
    return [
      {
        path: "metadata.name",
        message: `this editor changes ${id.kind} ${id.namespace ? `${id.namespace}/` : ""}${id.name}; its kind, namespace and name cannot change here (create a new policy instead)`,
        source: "engine",
      },
    ];
  }, [deferredDoc, target.identity]);
  const issues = useMemo(() => [...identityIssues, ...validation.issues, ...state.serverIssues], [identityIssues, validation.issues, state.serverIssues]);
  // A new policy has no name yet: say so when saving, not before the user has typed anything.
  const unnamed = getIn(deferredDoc, ["metadata", "name"]) === "";
  const shown = useMemo(() => (attempted || !unnamed ? issues : issues.filter((i) => i.path !== "metadata.name")), [issues, attempted, unnamed]);

  const ruleKeys = useMemo(() => [...state.ids.ingress.map((_, i) => `spec.ingress[${i}]`), ...state.ids.egress.map((_, i) => `spec.egress[${i}]`)], [state.ids]);
  const ruleIssues = useMemo(() => groupByPrefix(shown, ruleKeys), [shown, ruleKeys]);

  // Policy-level previews depend on the policy's own selectors, kind and namespace.
  const spec = isRecord(doc.spec) ? doc.spec : {};
  const policy = useMemo(
    () => policyLike({ kind, metadata: { name: "", namespace: namespace ?? undefined }, spec: { selector: spec.selector, namespaceSelector: spec.namespaceSelector, serviceAccountSelector: spec.serviceAccountSelector } }),
    [kind, namespace, spec.selector, spec.namespaceSelector, spec.serviceAccountSelector],
  );
  const policyPreviews = useMemo(
    () =>
      model
        ? {
            selector: previewFor(model, policy, undefined, { scope: "policy", field: "selector" }),
            namespaceSelector: previewFor(model, policy, undefined, { scope: "policy", field: "namespaceSelector" }),
            serviceAccountSelector: previewFor(model, policy, undefined, { scope: "policy", field: "serviceAccountSelector" }),
          }
        : null,
    [model, policy],
  );

  const env = useMemo<EditorEnv>(() => ({ model, networkSets, kind, namespace, onChange }), [model, networkSets, kind, namespace, onChange]);

  // Keep focus on the moved rule's button (the button itself, or its twin when it became disabled).
  const [announcement, setAnnouncement] = useState("");
  useEffect(() => {
    if (!state.moved) return;
    const card = document.querySelector(`[data-rule-id="${state.moved.id}"]`);
    const want = card?.querySelector<HTMLButtonElement>(`[data-move="${state.moved.which}"]`);
    const other = card?.querySelector<HTMLButtonElement>(`[data-move="${state.moved.which === "up" ? "down" : "up"}"]`);
    (want && !want.disabled ? want : other)?.focus();
    const t = setTimeout(() => setAnnouncement(state.moved?.message ?? ""), 0);
    return () => clearTimeout(t);
  }, [state.moved]);

  const save = useMutation({
    mutationFn: () =>
      saveToDraft(cluster, {
        ...(draft ? {} : title.trim() ? { title: title.trim() } : {}),
        changes: [{ op: target.op, document: doc, baseVersion: target.baseVersion }],
      }),
    onSuccess: (result) => {
      setSaved({ result, revision: state.revision });
      void qc.invalidateQueries({ queryKey: policyEditorKeys.draft(cluster), exact: true });
      void qc.invalidateQueries({ queryKey: changeKeys.detail(result.id), exact: true });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 422) dispatch({ type: "serverIssues", issues: issuesFromServer(err.errors) });
    },
  });
  const saveError = save.error instanceof ApiError ? save.error : save.error ? new ApiError(0, "error", save.error.message) : null;

  const trySave = () => {
    // The engine in the browser is the same as the server's: do not send what it rejects.
    const now = validateDocument(doc);
    setAttempted(true);
    if (now.issues.length || identityIssues.length || (state.tab === "yaml" && !state.yamlRead?.doc)) {
      dispatch({ type: "serverIssues", issues: [] });
      requestAnimationFrame(() => document.getElementById(summaryId)?.focus());
      return;
    }
    save.mutate();
  };

  const yamlBlocking = state.tab === "yaml" ? (state.yamlRead?.blocking ?? []) : [];
  const tierValue = asString(spec.tier) ?? "";
  const savedCurrent = saved !== null && saved.revision === state.revision;
  const titleId = useId();

  return (
    <EditorEnvContext.Provider value={env}>
      <div className="flex flex-col gap-4 [&_input]:scroll-mb-36 [&_select]:scroll-mb-36 [&_textarea]:scroll-mb-36">
        {state.notice && (
          <Alert tone="info">
            {state.notice}{" "}
            <button type="button" className="underline" onClick={() => dispatch({ type: "dismissNotice" })}>
              Dismiss
            </button>
          </Alert>
        )}
        <p className="sr-only" aria-live="polite">
          {announcement}
        </p>
        <Tabs.Root value={state.tab} onValueChange={(v) => dispatch({ type: "tab", tab: v === "yaml" ? "yaml" : "form" })}>
          <Tabs.List aria-label="Editor view" className="mb-4 flex gap-1 border-b border-slate-200">
            {(["form", "yaml"] as const).map((t) => (
              <Tabs.Trigger
                key={t}
                value={t}
                className="-mb-px border-b-2 border-transparent px-4 py-2 text-sm font-medium text-slate-600 hover:text-slate-900 data-[state=active]:border-brand-600 data-[state=active]:text-brand-700"
              >
                {t === "form" ? "Form" : "YAML"}
              </Tabs.Trigger>
            ))}
          </Tabs.List>
          {state.tab === "yaml" && yamlBlocking.length > 0 && (
            <Alert className="mb-4">
              The form opens again once the YAML is one NetworkPolicy or GlobalNetworkPolicy:
              <ul className="mt-1 list-disc pl-5">
                {yamlBlocking.map((i, n) => (
                  <li key={n}>
                    line {i.line}: {i.message}
                  </li>
                ))}
              </ul>
            </Alert>
          )}
          <Tabs.Content value="form" className="flex flex-col gap-4 outline-none">
            {attempted && <IssueSummary issues={issues} id={summaryId} />}
            <Card title="Policy">
              <div className="grid gap-4 md:grid-cols-2">
                {target.identity ? (
                  <div className="flex flex-col gap-1 text-sm">
                    <span className="font-medium text-slate-700">Kind</span>
                    <span>{kind === "NetworkPolicy" ? "NetworkPolicy (namespaced)" : "GlobalNetworkPolicy (cluster-wide)"}</span>
                  </div>
                ) : (
                  <fieldset className="flex flex-col gap-1">
                    <legend className="text-sm font-medium text-slate-700">Kind</legend>
                    <div className="flex flex-wrap gap-4 pt-1">
                      {(["NetworkPolicy", "GlobalNetworkPolicy"] as const).map((k) => (
                        <label key={k} className="flex items-center gap-2 text-sm">
                          <input type="radio" name="policy-kind" value={k} checked={kind === k} onChange={() => dispatch({ type: "kind", kind: k })} />
                          {k === "NetworkPolicy" ? "NetworkPolicy (namespaced)" : "GlobalNetworkPolicy (cluster-wide)"}
                        </label>
                      ))}
                    </div>
                  </fieldset>
                )}
                <div className="flex flex-col gap-1">
                  <label htmlFor={`${summaryId}-tier`} className="text-sm font-medium text-slate-700">
                    Tier
                  </label>
                  <select
                    id={`${summaryId}-tier`}
                    data-path="spec.tier"
                    value={tierValue}
                    onChange={(e) => onChange(["spec", "tier"], e.target.value || undefined)}
                    className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm"
                  >
                    {!tierValue && <option value="">default (not set)</option>}
                    {tiers.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                  <IssueText issues={issuesAt(shown, "spec.tier")} base="spec.tier" />
                </div>
                <Field
                  label="Name"
                  value={displayScalar(getIn(doc, ["metadata", "name"]))}
                  onChange={(e) => onChange(["metadata", "name"], e.target.value)}
                  readOnly={target.identity !== null}
                  data-path="metadata.name"
                  spellCheck={false}
                  placeholder="allow-egress-to-psp"
                  error={issuesAt(shown, "metadata.name").map((i) => i.message).join("; ") || undefined}
                  hint={target.identity ? "The name identifies the policy being edited." : "Lower-case DNS labels, at most one dot (e.g. platform.allow-dns)."}
                />
                {kind === "NetworkPolicy" ? (
                  <>
                    <Field
                      label="Namespace"
                      list={nsListId}
                      value={displayScalar(getIn(doc, ["metadata", "namespace"]))}
                      onChange={(e) => onChange(["metadata", "namespace"], e.target.value)}
                      readOnly={target.identity !== null}
                      data-path="metadata.namespace"
                      spellCheck={false}
                      error={issuesAt(shown, "metadata.namespace").map((i) => i.message).join("; ") || undefined}
                      hint="The policy selects pods of this namespace only."
                    />
                    <datalist id={nsListId}>
                      {namespaces.map((n) => (
                        <option key={n} value={n} />
                      ))}
                    </datalist>
                  </>
                ) : (
                  <div />
                )}
                <NumberField label="Order" path={["spec", "order"]} value={spec.order} onChange={onChange} issues={issuesAt(shown, "spec.order")} placeholder="e.g. 100" hint="Lower orders are evaluated first within the tier; empty means last." />
                <LabelsEditor path={["metadata", "labels"]} value={getIn(doc, ["metadata", "labels"])} onChange={onChange} issues={issuesAt(shown, "metadata.labels", true)} />
              </div>
              <IssueText issues={issuesAt(shown, DOCUMENT_PATH).concat(issuesAt(shown, "metadata"), issuesAt(shown, "spec"), issuesAt(shown, "kind"), issuesAt(shown, "apiVersion"))} base="" />
            </Card>
            <Card title="Applies to">
              <div className="flex flex-col gap-4">
                <SelectorField
                  label="Selector"
                  path={["spec", "selector"]}
                  value={spec.selector}
                  onChange={onChange}
                  vocabulary={model?.vocabulary.endpoint ?? null}
                  preview={policyPreviews?.selector ?? null}
                  issues={issuesAt(shown, "spec.selector")}
                  maxLength={1024}
                  placeholder="all() or app == 'web'"
                  hint={kind === "NetworkPolicy" ? `Pods of ${namespace} this policy applies to; empty selects them all.` : "Endpoints this policy applies to, in every namespace; empty selects all."}
                  testId="policy-selector"
                />
                {kind === "GlobalNetworkPolicy" && (
                  <SelectorField
                    label="Namespace selector"
                    path={["spec", "namespaceSelector"]}
                    value={spec.namespaceSelector}
                    onChange={onChange}
                    vocabulary={model?.vocabulary.namespace ?? null}
                    preview={policyPreviews?.namespaceSelector ?? null}
                    issues={issuesAt(shown, "spec.namespaceSelector")}
                    placeholder="team == 'payments'"
                    hint="Restricts the policy to pods of the namespaces whose labels match."
                    testId="policy-namespaceSelector"
                    emptyNote="Not set: every namespace (and host endpoints)."
                  />
                )}
                <SelectorField
                  label="Service account selector"
                  path={["spec", "serviceAccountSelector"]}
                  value={spec.serviceAccountSelector}
                  onChange={onChange}
                  vocabulary={model?.vocabulary.serviceAccount ?? null}
                  preview={policyPreviews?.serviceAccountSelector ?? null}
                  issues={issuesAt(shown, "spec.serviceAccountSelector")}
                  placeholder="projectcalico.org/name == 'api'"
                  hint="Optional: only pods running as matching service accounts."
                  testId="policy-serviceAccountSelector"
                  emptyNote="Not set: any service account."
                />
                <TypesField doc={doc} onChange={onChange} issues={issuesAt(shown, "spec.types", true)} />
              </div>
            </Card>
            {(["ingress", "egress"] as const).map((direction) => {
              const rules = rulesOf(doc, direction);
              const ids = state.ids[direction];
              const title = direction === "ingress" ? "Ingress rules" : "Egress rules";
              return (
                <section key={direction} aria-labelledby={`${summaryId}-${direction}`} className="flex flex-col gap-3">
                  <div className="flex items-center justify-between gap-2">
                    <h2 id={`${summaryId}-${direction}`} className="text-base font-semibold text-slate-900">
                      {title} <span className="font-normal text-slate-500">({rules.length})</span>
                    </h2>
                    <Button variant="secondary" size="sm" onClick={() => dispatch({ type: "addRule", direction })}>
                      Add {direction} rule
                    </Button>
                  </div>
                  {rules.length === 0 ? (
                    <p className="rounded-md border border-dashed border-slate-300 bg-white px-4 py-3 text-sm text-slate-600">
                      No {direction} rules.{" "}
                      {direction === "ingress" ? "If the policy applies to Ingress, selected pods accept no traffic that earlier tiers did not allow." : "If the policy applies to Egress, selected pods may send nothing that earlier tiers did not allow."}
                    </p>
                  ) : (
                    <ol className="flex flex-col gap-3" aria-label={title}>
                      {rules.map((rule, i) => (
                        <RuleCard
                          key={ids[i] ?? i}
                          ruleId={ids[i] ?? `${direction}-${i}`}
                          direction={direction}
                          index={i}
                          count={rules.length}
                          rule={rule}
                          issues={ruleIssues.get(`spec.${direction}[${i}]`) ?? []}
                          onMove={onMove}
                          onRemove={onRemove}
                        />
                      ))}
                    </ol>
                  )}
                  <IssueText issues={issuesAt(shown, `spec.${direction}`)} base={`spec.${direction}`} />
                </section>
              );
            })}
          </Tabs.Content>
          <Tabs.Content value="yaml" className="flex flex-col gap-3 outline-none">
            <p className="text-sm text-slate-600">
              The same policy as Calico YAML. Edits here are kept, including fields the form does not show (http, icmp, annotations…).
            </p>
            <textarea
              aria-label="Policy YAML"
              data-testid="yaml-editor"
              spellCheck={false}
              value={state.yaml}
              onChange={(e) => dispatch({ type: "yaml", text: e.target.value })}
              rows={Math.min(40, Math.max(16, state.yaml.split("\n").length + 2))}
              className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs leading-5 shadow-sm outline-none focus:ring-2 focus:ring-brand-500"
            />
            {state.yamlRead && state.yamlRead.issues.length > 0 && (
              <div className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="yaml-issues">
                <p className="font-medium">The policy engine rejects:</p>
                <ul className="mt-1 list-disc pl-5">
                  {state.yamlRead.issues.map((i, n) => (
                    <li key={n}>
                      line {i.line}: <code className="text-xs">{i.path}</code> {i.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {state.serverIssues.length > 0 && <IssueSummary issues={state.serverIssues} id={`${summaryId}-server`} />}
          </Tabs.Content>
        </Tabs.Root>

        <div className="sticky bottom-0 z-20 -mx-4 border-t border-slate-200 bg-white px-4 py-3 shadow-[0_-4px_12px_-8px_rgba(15,23,42,0.25)] sm:-mx-6 sm:px-6" role="region" aria-label="Save">
          <div className="flex flex-col gap-2">
            {saveError && saveError.status === 409 && (
              <Alert>
                <p className="font-medium">Someone published a change to this policy since you opened it.</p>
                <p>{saveError.message}</p>
                <p className="mt-1">Nothing was saved, and nothing was overwritten. Your version is below to copy from.</p>
                <div className="mt-2 flex flex-wrap gap-2">
                  {onReload && (
                    <Button size="sm" onClick={onReload}>
                      Reload the published version
                    </Button>
                  )}
                </div>
                <details className="mt-2">
                  <summary className="cursor-pointer">Your version (YAML)</summary>
                  <pre className="mt-1 max-h-48 overflow-auto rounded bg-white p-2 text-xs text-slate-800">{docToYaml(doc)}</pre>
                </details>
              </Alert>
            )}
            {saveError && saveError.status === 422 && (
              <Alert>
                The server rejected the policy: {saveError.errors.length ? "see the fields marked in the form." : saveError.message}
              </Alert>
            )}
            {saveError && saveError.status !== 409 && saveError.status !== 422 && (
              <Alert>
                Could not save: {saveError.status === 403 ? "saving to a draft needs the author role." : saveError.message}
              </Alert>
            )}
            {saved && (
              <Alert tone="success">
                {savedCurrent ? "Saved" : "Saved an earlier version"} to your draft change request
                {saved.result.number !== undefined ? ` #${saved.result.number}` : ""} ({saved.result.added.map((a) => `${a.op} ${a.resource}`).join(", ")}).{" "}
                <Link href={`/changes/${saved.result.id}`} className="font-medium underline" data-testid="change-request-link">
                  Open the change request
                </Link>{" "}
                to review and submit it.
              </Alert>
            )}
            <div className="flex flex-wrap items-end justify-between gap-3">
              <div className="min-w-0 text-sm text-slate-600">
                {issues.length > 0 ? (
                  <button
                    type="button"
                    className="font-medium text-red-700 underline"
                    onClick={() => {
                      setAttempted(true);
                      if (state.tab === "yaml") dispatch({ type: "tab", tab: "form" });
                      requestAnimationFrame(() => document.getElementById(summaryId)?.focus());
                    }}
                  >
                    {issues.length === 1 ? "1 problem" : `${issues.length} problems`} to fix
                  </button>
                ) : (
                  <span className="text-emerald-700">The policy engine accepts this policy.</span>
                )}{" "}
                {draft ? (
                  <span>
                    · Adds to your draft{" "}
                    <Link className="text-brand-700 hover:underline" href={`/changes/${draft.id}`}>
                      {draft.number !== undefined ? `#${draft.number} ` : ""}
                      {draft.title}
                    </Link>{" "}
                    <Badge>{draft.items.length} change{draft.items.length === 1 ? "" : "s"}</Badge>
                  </span>
                ) : draft === null ? (
                  <span>· Saving opens a new draft change request.</span>
                ) : null}
              </div>
              <div className="flex flex-wrap items-end gap-2">
                {draft === null && canAuthor && (
                  <div className="flex flex-col gap-1">
                    <label htmlFor={titleId} className="text-xs font-medium text-slate-600">
                      Change request title (optional)
                    </label>
                    <input
                      id={titleId}
                      value={title}
                      onChange={(e) => setTitle(e.target.value)}
                      placeholder={`Draft changes to ${cluster}`}
                      className="w-64 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                    />
                  </div>
                )}
                <Button onClick={trySave} disabled={!canAuthor || save.isPending} title={canAuthor ? undefined : "Saving to a draft needs the author role"} className={cn(!canAuthor && "opacity-60")}>
                  {save.isPending ? "Saving…" : "Save to draft"}
                </Button>
              </div>
            </div>
            {!canAuthor && <p className="text-xs text-slate-500">You can explore and check policies here; saving to a draft needs the author role.</p>}
          </div>
        </div>
      </div>
    </EditorEnvContext.Provider>
  );
}

"use client";

import { useMemo, useState } from "react";
import { Alert } from "../../ui/alert";
import { Button } from "../../ui/button";
import { Badge } from "../../ui/card";
import { Dialog } from "../../ui/dialog";
import { selectorForSets } from "./network-set-pick";
import { networkSetId, type NetworkSetInfo } from "./preview";

/**
 * Pick network sets by name for one side of a rule. Writes the selector on the sets' labels (and
 * the namespace scope the rule needs to reach them) into the rule.
 */
export function NetworkSetPicker({
  sets,
  matched,
  policy,
  ruleName,
  onPick,
}: {
  sets: readonly NetworkSetInfo[];
  /** Ids of the sets the rule side currently matches (from the preview). */
  matched: readonly string[];
  policy: { kind: string; namespace: string | null };
  ruleName: string;
  onPick: (selector: string, namespaceSelector: string | null) => void;
}) {
  const [open, setOpen] = useState(false);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [filter, setFilter] = useState("");
  const chosen = useMemo(() => sets.filter((s) => picked.has(networkSetId(s))), [sets, picked]);
  const result = chosen.length ? selectorForSets(chosen, policy) : null;
  const shown = sets.filter((s) => `${s.namespace ?? ""}/${s.name} ${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(" ")}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <>
      <div>
        <Button
          variant="secondary"
          size="sm"
          onClick={() => {
            setPicked(new Set(matched));
            setFilter("");
            setOpen(true);
          }}
        >
          Pick network sets…
        </Button>
      </div>
      {open && (
        <Dialog open onOpenChange={setOpen} title={`Network sets for ${ruleName}`} description="Rules select network sets by their labels. Picking sets writes a selector on their labels (and the namespace scope needed to reach them) into this side of the rule, replacing its selector.">
          <div className="flex max-h-[60vh] flex-col gap-3">
            <input
              aria-label="Filter network sets"
              placeholder="Filter by name or label"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              className="rounded-md border border-slate-300 px-3 py-2 text-sm"
            />
            {sets.length === 0 ? (
              <p className="text-sm text-slate-600">This cluster has no network sets yet (published or in your draft).</p>
            ) : (
              <ul className="flex flex-col divide-y divide-slate-100 overflow-y-auto rounded-md border border-slate-200" aria-label="Network sets">
                {shown.map((s) => {
                  const id = networkSetId(s);
                  const unlabelled = Object.keys(s.labels).length === 0;
                  return (
                    <li key={id} className="px-3 py-2">
                      <label className="flex items-start gap-2 text-sm">
                        <input
                          type="checkbox"
                          className="mt-1"
                          checked={picked.has(id)}
                          disabled={unlabelled}
                          onChange={(e) => {
                            const next = new Set(picked);
                            if (e.target.checked) next.add(id);
                            else next.delete(id);
                            setPicked(next);
                          }}
                        />
                        <span className="min-w-0">
                          <span className="font-mono">{s.namespace ? `${s.namespace}/` : ""}{s.name}</span>{" "}
                          <Badge tone={s.kind === "GlobalNetworkSet" ? "blue" : "slate"}>{s.kind === "GlobalNetworkSet" ? "global" : "namespaced"}</Badge>{" "}
                          {s.origin === "draft" && <Badge tone="amber">in your draft</Badge>}
                          <span className="mt-0.5 flex flex-wrap gap-1">
                            {unlabelled ? (
                              <span className="text-xs text-slate-500">no labels: it cannot be selected</span>
                            ) : (
                              Object.entries(s.labels).map(([k, v]) => (
                                <span key={k} className="rounded bg-slate-100 px-1 font-mono text-[11px] text-slate-700">
                                  {k}={v}
                                </span>
                              ))
                            )}
                          </span>
                        </span>
                      </label>
                    </li>
                  );
                })}
              </ul>
            )}
            {result && (
              <div className="rounded-md bg-slate-50 p-2 text-xs">
                <p>
                  Selector: <code className="break-all">{result.selector || "—"}</code>
                </p>
                <p>
                  Namespace selector: <code>{result.namespaceSelector ?? "none"}</code>
                </p>
              </div>
            )}
            {result?.problem && <Alert>{result.problem}</Alert>}
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button
                disabled={!result || result.problem !== null}
                onClick={() => {
                  if (!result || result.problem) return;
                  onPick(result.selector, result.namespaceSelector);
                  setOpen(false);
                }}
              >
                Use {chosen.length === 1 ? "this set" : `${chosen.length} sets`}
              </Button>
            </div>
          </div>
        </Dialog>
      )}
    </>
  );
}

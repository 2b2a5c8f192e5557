"use client";

import { memo, useId, useMemo, useState, type ReactNode } from "react";
import { DomainPatternError } from "@/server/policy/domain";
import { domainExamples } from "@/server/policy/domain-examples";
import { Button } from "../../ui/button";
import { cn } from "../../ui/cn";
import { asArray, displayScalar, isRecord, jsonEqual, type Path } from "./document";
import { pathKey, type Issue } from "./issues";

/**
 * Local text for a field whose document value is derived from it (a typed list, a number): the
 * text is kept while it still means the document value, and replaced when the value changes
 * from elsewhere (YAML tab, network set picker, reorder).
 */
function useSyncedText(value: unknown, format: (v: unknown) => string, parse: (t: string) => unknown): [string, (t: string) => unknown] {
  const [text, setText] = useState(() => format(value));
  const [seen, setSeen] = useState<unknown>(value);
  if (seen !== value && !jsonEqual(seen, value)) {
    setSeen(value);
    if (!jsonEqual(parse(text), value)) setText(format(value));
  }
  const update = (t: string) => {
    setText(t);
    const v = parse(t);
    setSeen(v);
    return v;
  };
  return [text, update];
}

export function IssueText({ issues, base, id }: { issues: readonly Issue[]; base: string; id?: string }) {
  if (issues.length === 0) return null;
  return (
    <div id={id} className="text-xs font-medium text-red-700" aria-live="polite">
      {issues.map((i, n) => (
        <p key={n}>
          {i.path !== base && i.path.startsWith(base) && <code className="mr-1 font-normal">{i.path.slice(base.length)}</code>}
          {i.message}
          {i.source === "server" && <span className="ml-1 font-normal">(from the server)</span>}
        </p>
      ))}
    </div>
  );
}

export interface ListFieldProps {
  label: string;
  path: Path;
  value: unknown;
  onChange: (path: Path, value: unknown) => void;
  parse: (text: string) => unknown[];
  issues: readonly Issue[];
  placeholder?: string;
  hint?: ReactNode;
  testId?: string;
  disabled?: boolean;
}

/** Label, control, hint and issues of one field; `describedBy` links the control to the last two. */
export function FieldFrame({ id, label, hint, issues, base, children }: { id: string; label: ReactNode; hint?: ReactNode; issues: readonly Issue[]; base: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      <IssueText issues={issues} base={base} id={`${id}-error`} />
    </div>
  );
}

/** The aria-describedby of a control in a FieldFrame. */
export function describedBy(id: string, hint: ReactNode | undefined, issues: readonly Issue[]): string | undefined {
  return [hint ? `${id}-hint` : null, issues.length ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

/** A list typed as text: items separated by commas, spaces or new lines. */
export const ListField = memo(function ListField({ label, path, value, onChange, parse, issues, placeholder, hint, testId, disabled }: ListFieldProps) {
  const id = useId();
  const format = (v: unknown) => asArray(v).map(displayScalar).join(", ");
  const parseValue = (t: string) => {
    const items = parse(t);
    return items.length ? items : undefined;
  };
  const [text, setText] = useSyncedText(value, format, parseValue);
  const key = pathKey(path);
  return (
    <FieldFrame id={id} label={label} hint={hint} issues={issues} base={key}>
      <input
        id={id}
        type="text"
        data-path={key}
        data-testid={testId}
        spellCheck={false}
        autoComplete="off"
        disabled={disabled}
        value={text}
        placeholder={placeholder}
        aria-invalid={issues.length ? true : undefined}
        aria-describedby={describedBy(id, hint, issues)}
        onChange={(e) => onChange(path, setText(e.target.value))}
        className={cn(
          "w-full rounded-md border bg-white px-3 py-2 font-mono text-sm shadow-sm outline-none focus:ring-2 focus:ring-brand-500 disabled:bg-slate-50",
          issues.length ? "border-red-500" : "border-slate-300",
        )}
      />
    </FieldFrame>
  );
});

/** A number typed as text (kept as typed until it is a number). */
export function NumberField({ label, path, value, onChange, issues, hint, placeholder }: { label: string; path: Path; value: unknown; onChange: (path: Path, value: unknown) => void; issues: readonly Issue[]; hint?: ReactNode; placeholder?: string }) {
  const id = useId();
  const parse = (t: string) => (t.trim() === "" ? undefined : Number.isFinite(Number(t)) ? Number(t) : t);
  const [text, setText] = useSyncedText(value, displayScalar, parse);
  const key = pathKey(path);
  return (
    <FieldFrame id={id} label={label} hint={hint} issues={issues} base={key}>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        data-path={key}
        value={text}
        placeholder={placeholder}
        aria-invalid={issues.length ? true : undefined}
        aria-describedby={describedBy(id, hint, issues)}
        onChange={(e) => onChange(path, setText(e.target.value))}
        className={cn("w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm outline-none focus:ring-2 focus:ring-brand-500", issues.length ? "border-red-500" : "border-slate-300")}
      />
    </FieldFrame>
  );
}

// ---------------------------------------------------------------------------
// Labels

interface Row {
  key: string;
  value: string;
}

function rowsOf(v: unknown): Row[] {
  return isRecord(v) ? Object.entries(v).map(([key, value]) => ({ key, value: displayScalar(value) })) : [];
}
function objectOf(rows: readonly Row[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const r of rows) if (r.key.trim() !== "") out[r.key.trim()] = r.value;
  return Object.keys(out).length ? out : undefined;
}

/** metadata.labels as key = value rows. */
export function LabelsEditor({ path, value, onChange, issues }: { path: Path; value: unknown; onChange: (path: Path, value: unknown) => void; issues: readonly Issue[] }) {
  const [rows, setRows] = useState<Row[]>(() => rowsOf(value));
  const [seen, setSeen] = useState<unknown>(value);
  if (seen !== value && !jsonEqual(seen, value)) {
    setSeen(value);
    if (!jsonEqual(objectOf(rows), value)) setRows(rowsOf(value));
  }
  const update = (next: Row[]) => {
    setRows(next);
    const obj = objectOf(next);
    setSeen(obj);
    onChange(path, obj);
  };
  const base = pathKey(path);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.key.trim(), (counts.get(r.key.trim()) ?? 0) + 1);
  const claimed = new Set<string>();
  return (
    <fieldset className="flex min-w-0 flex-col gap-2">
      <legend className="text-sm font-medium text-slate-700">Labels</legend>
      {rows.length === 0 && <p className="text-xs text-slate-500">No labels.</p>}
      {rows.map((r, i) => {
        const k = pathKey([...path, r.key.trim()]);
        const rowIssues = r.key.trim() ? issues.filter((x) => x.path === k) : [];
        for (const x of rowIssues) claimed.add(x.path);
        const dup = r.key.trim() !== "" && (counts.get(r.key.trim()) ?? 0) > 1;
        return (
          <div key={i} className="flex flex-col gap-1">
            <div className="flex items-center gap-2">
              <input
                aria-label={`Label ${i + 1} key`}
                data-path={k}
                value={r.key}
                spellCheck={false}
                onChange={(e) => update(rows.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))}
                placeholder="key"
                className={cn("min-w-0 flex-1 rounded-md border bg-white px-2 py-1.5 font-mono text-sm", rowIssues.length || dup ? "border-red-500" : "border-slate-300")}
              />
              <span aria-hidden className="text-slate-400">=</span>
              <input
                aria-label={`Label ${i + 1} value`}
                value={r.value}
                spellCheck={false}
                onChange={(e) => update(rows.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
                placeholder="value"
                className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1.5 font-mono text-sm"
              />
              <Button variant="ghost" size="sm" aria-label={`Remove label ${i + 1}`} onClick={() => update(rows.filter((_, j) => j !== i))}>
                Remove
              </Button>
            </div>
            {dup && <p className="text-xs font-medium text-red-700">The key {r.key.trim()} appears twice; the last one wins.</p>}
            <IssueText issues={rowIssues} base={k} />
          </div>
        );
      })}
      <IssueText issues={issues.filter((x) => !claimed.has(x.path))} base={base} />
      <div>
        <Button variant="secondary" size="sm" onClick={() => setRows([...rows, { key: "", value: "" }])}>
          Add label
        </Button>
      </div>
    </fieldset>
  );
}

// ---------------------------------------------------------------------------
// Domains (issue #7)

function DomainRow({ index, text, onText, onRemove, issues }: { index: number; text: string; onText: (t: string) => void; onRemove: () => void; issues: readonly Issue[] }) {
  const id = useId();
  const checked = useMemo(() => {
    if (text.trim() === "") return null;
    try {
      return { ok: true as const, ex: domainExamples(text.trim()) };
    } catch (err) {
      if (err instanceof DomainPatternError) return { ok: false as const, message: err.message };
      throw err;
    }
  }, [text]);
  const serverIssues = issues.filter((i) => i.source === "server");
  const invalid = (checked && !checked.ok) || serverIssues.length > 0;
  return (
    <li className="flex flex-col gap-1" data-testid={`domain-row-${index}`}>
      <div className="flex items-center gap-2">
        <input
          id={id}
          aria-label={`Domain ${index + 1}`}
          value={text}
          spellCheck={false}
          autoComplete="off"
          placeholder="api.example.com or *.example.com"
          aria-invalid={invalid ? true : undefined}
          aria-describedby={`${id}-check`}
          onChange={(e) => onText(e.target.value)}
          className={cn("min-w-0 flex-1 rounded-md border bg-white px-3 py-2 font-mono text-sm shadow-sm outline-none focus:ring-2 focus:ring-brand-500", invalid ? "border-red-500" : "border-slate-300")}
        />
        <Button variant="ghost" size="sm" aria-label={`Remove domain ${index + 1}`} onClick={onRemove}>
          Remove
        </Button>
      </div>
      <div id={`${id}-check`} className="text-xs" aria-live="polite" data-testid="domain-check">
        {checked === null && <p className="text-slate-500">Type an exact name, or one * standing for one or more whole labels.</p>}
        {checked && !checked.ok && <p className="font-medium text-red-700">{checked.message}</p>}
        {checked && checked.ok && (
          <p className="text-slate-600" data-testid="domain-examples">
            Matches <span className="font-mono text-emerald-800">{checked.ex.matches.join(", ")}</span>
            {checked.ex.nonMatches.length > 0 && (
              <>
                {"; not "}
                <span className="font-mono text-slate-800">{checked.ex.nonMatches.join(", ")}</span>
              </>
            )}
          </p>
        )}
        <IssueText issues={serverIssues} base="" />
      </div>
    </li>
  );
}

/**
 * `destination.domains` of an egress Allow rule: one pattern per row, each checked with the
 * engine's rules as it is typed, with examples of what it matches.
 */
export function DomainListField({ path, value, onChange, issues, blockedReason }: { path: Path; value: unknown; onChange: (path: Path, value: unknown) => void; issues: readonly Issue[]; blockedReason: string | null }) {
  const toRows = (v: unknown) => asArray(v).map(displayScalar);
  const [rows, setRows] = useState<string[]>(() => toRows(value));
  const [seen, setSeen] = useState<unknown>(value);
  if (seen !== value && !jsonEqual(seen, value)) {
    setSeen(value);
    const kept = rows.filter((r) => r.trim() !== "");
    if (!jsonEqual(kept.length ? kept : undefined, value)) setRows(toRows(value));
  }
  const update = (next: string[]) => {
    setRows(next);
    const kept = next.map((r) => r.trim()).filter(Boolean);
    const v = kept.length ? kept : undefined;
    setSeen(v);
    onChange(path, v);
  };
  const base = pathKey(path);
  // Row i is document item (number of non-empty rows before it).
  let docIndex = -1;
  return (
    <fieldset className="flex min-w-0 flex-col gap-2" data-path={base} data-testid="domains-field">
      <legend className="text-sm font-medium text-slate-700">Domains</legend>
      {blockedReason && <p className="text-xs text-amber-800">{blockedReason}</p>}
      {rows.length > 0 && (
        <ul className="flex flex-col gap-2">
          {rows.map((r, i) => {
            if (r.trim() !== "") docIndex++;
            const k = pathKey([...path, docIndex]);
            return (
              <DomainRow
                key={i}
                index={i}
                text={r}
                issues={r.trim() ? issues.filter((x) => x.path === k) : []}
                onText={(t) => update(rows.map((x, j) => (j === i ? t : x)))}
                onRemove={() => update(rows.filter((_, j) => j !== i))}
              />
            );
          })}
        </ul>
      )}
      <IssueText issues={issues.filter((x) => x.path === base)} base={base} />
      <div>
        <Button variant="secondary" size="sm" disabled={blockedReason !== null} onClick={() => setRows([...rows, ""])}>
          Add domain
        </Button>
      </div>
    </fieldset>
  );
}

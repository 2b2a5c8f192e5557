"use client";

import { memo, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { selectorProblem } from "@/server/policy/resources/common";
import { parseSelector, SelectorSyntaxError } from "@/server/policy/selector/index";
import { cn } from "../../ui/cn";
import { applyCompletion, completionContext, suggest, type Completion, type CompletionContext } from "./autocomplete";
import { displayScalar, type Path } from "./document";
import type { Issue } from "./issues";
import { pathKey } from "./issues";
import type { Matches, Preview, Vocabulary } from "./preview";

export interface SyntaxProblem {
  message: string;
  /** 0-based position in the text, when the parser names one. */
  position: number | null;
}

/** The selector's own problem, checked with the engine's parser (and the field's global() rules). */
export function checkSelector(text: string, opts: { allowGlobal?: boolean; maxLength?: number } = {}): SyntaxProblem | null {
  try {
    parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) return { message: err.message, position: Math.min(Math.max(err.position, 0), text.length) };
    throw err;
  }
  const p = selectorProblem(text, opts);
  return p ? { message: p, position: null } : null;
}

export interface SelectorFieldProps {
  label: string;
  path: Path;
  value: unknown;
  onChange: (path: Path, value: unknown) => void;
  vocabulary: Vocabulary | null;
  preview: Preview | null;
  issues: readonly Issue[];
  allowGlobal?: boolean;
  maxLength?: number;
  placeholder?: string;
  hint?: ReactNode;
  /** Extra controls under the input (e.g. the network set picker). */
  actions?: ReactNode;
  testId: string;
  disabled?: boolean;
  /** Shown instead of the preview while the field is empty (optional fields). */
  emptyNote?: string;
}

/**
 * A selector input: the engine's parser checks it as you type (the error position is marked),
 * label keys and values from the inventory are offered in an ARIA combobox, and the preview of
 * what the field matches is shown below.
 */
export const SelectorField = memo(function SelectorField(props: SelectorFieldProps) {
  const { label, path, value, onChange, vocabulary, preview, issues, allowGlobal, maxLength, placeholder, hint, actions, testId, disabled, emptyNote } = props;
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const text = displayScalar(value);
  const problem = useMemo(() => checkSelector(text, { allowGlobal, maxLength }), [text, allowGlobal, maxLength]);
  const [ctx, setCtx] = useState<CompletionContext | null>(null);
  const [open, setOpen] = useState(false);
  // No option is highlighted until the user arrows to one, so Enter and Tab keep their usual meaning.
  const [active, setActive] = useState(-1);
  const pendingCaret = useRef<number | null>(null);

  const suggestions = useMemo<Completion[]>(() => (open && ctx && vocabulary ? suggest(vocabulary, ctx, text) : []), [open, ctx, vocabulary, text]);
  const expanded = open && suggestions.length > 0;

  useLayoutEffect(() => {
    if (pendingCaret.current !== null && inputRef.current) {
      inputRef.current.setSelectionRange(pendingCaret.current, pendingCaret.current);
      pendingCaret.current = null;
    }
  });

  const refreshContext = (next: string, caret: number, explicit: boolean) => {
    const c = completionContext(next, caret);
    setCtx(c);
    setActive(-1);
    setOpen(c !== null && (explicit || c.kind === "value" || c.partial.length > 0));
  };

  const accept = (c: Completion) => {
    if (!ctx) return;
    const r = applyCompletion(text, ctx, c);
    pendingCaret.current = r.caret;
    onChange(path, r.text);
    setOpen(false);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!expanded) {
        refreshContext(text, e.currentTarget.selectionStart ?? text.length, true);
        return;
      }
      const n = suggestions.length;
      setActive((a) => (e.key === "ArrowDown" ? (a + 1) % n : a <= 0 ? n - 1 : a - 1));
    } else if ((e.key === "Enter" || e.key === "Tab") && expanded && active >= 0) {
      const c = suggestions[active];
      if (c) {
        e.preventDefault();
        accept(c);
      }
    } else if (e.key === "Escape" && expanded) {
      e.preventDefault();
      setOpen(false);
    } else if (e.key === " " && e.ctrlKey) {
      e.preventDefault();
      refreshContext(text, e.currentTarget.selectionStart ?? text.length, true);
    }
  };

  const key = pathKey(path);
  // The live syntax check already says what the engine's schema would say about this field.
  const shownIssues = problem ? issues.filter((i) => i.source === "server" && i.path !== key) : issues;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const previewId = `${id}-preview`;
  const listId = `${id}-list`;
  const describedBy = [hint ? hintId : null, problem || shownIssues.length ? errorId : null, previewId].filter(Boolean).join(" ");

  return (
    <div className="flex min-w-0 flex-col gap-1" data-testid={testId}>
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      <div className="relative">
        <input
          ref={inputRef}
          id={id}
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
          aria-invalid={problem || shownIssues.length ? true : undefined}
          aria-describedby={describedBy}
          data-path={key}
          autoComplete="off"
          spellCheck={false}
          disabled={disabled}
          placeholder={placeholder}
          value={text}
          onChange={(e) => {
            onChange(path, e.target.value);
            refreshContext(e.target.value, e.target.selectionStart ?? e.target.value.length, false);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setOpen(false)}
          onClick={(e) => open && refreshContext(text, e.currentTarget.selectionStart ?? text.length, false)}
          className={cn(
            "w-full rounded-md border bg-white px-3 py-2 font-mono text-sm shadow-sm outline-none focus:ring-2 focus:ring-brand-500 disabled:bg-slate-50",
            problem || shownIssues.length ? "border-red-500" : "border-slate-300",
          )}
        />
        <ul
          id={listId}
          role="listbox"
          aria-label={`${label}: suggestions`}
          hidden={!expanded}
          className="absolute left-0 right-0 top-full z-30 mt-1 max-h-64 overflow-y-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg"
        >
          {expanded &&
            suggestions.map((c, i) => (
              <li
                key={`${c.kind}:${c.label}`}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  e.preventDefault();
                  accept(c);
                }}
                onMouseEnter={() => setActive(i)}
                className={cn("flex cursor-pointer items-center justify-between gap-3 px-3 py-1.5", i === active ? "bg-brand-50 text-brand-900" : "text-slate-800")}
              >
                <span className="truncate font-mono">{c.label}</span>
                <span className="shrink-0 text-xs text-slate-500">
                  {c.kind === "key" ? "label" : "value"} · {c.count.toLocaleString()}
                </span>
              </li>
            ))}
        </ul>
      </div>
      {hint && (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      {(problem || shownIssues.length > 0) && (
        <div id={errorId} className="text-xs text-red-700" data-testid={`${testId}-error`} aria-live="polite">
          {problem && <SyntaxErrorMark text={text} problem={problem} />}
          {shownIssues.map((i, n) => (
            <p key={n} className="font-medium">
              {i.path !== key && <code className="mr-1">{i.path.startsWith(key) ? i.path.slice(key.length) : i.path}</code>}
              {i.message}
              {i.source === "server" && <span className="ml-1 font-normal text-red-600">(from the server)</span>}
            </p>
          ))}
        </div>
      )}
      {actions}
      <PreviewView id={previewId} testId={testId} text={text} preview={problem ? null : preview} invalid={problem !== null} emptyNote={text.trim() === "" ? (emptyNote ?? null) : null} />
    </div>
  );
});

function SyntaxErrorMark({ text, problem }: { text: string; problem: SyntaxProblem }) {
  const pos = problem.position;
  return (
    <div>
      <p className="font-medium">{problem.message}</p>
      {pos !== null && (
        <div className="mt-1 overflow-x-auto rounded bg-red-50 px-2 py-1 font-mono" data-testid="selector-error-mark" data-position={pos}>
          <span className="sr-only">Error at character {pos + 1}: </span>
          <span className="whitespace-pre" aria-hidden>
            {text.slice(0, pos)}
            <mark className="rounded-sm bg-red-200 text-red-900 underline decoration-red-600 decoration-wavy">{text[pos] ?? "\u00a0"}</mark>
            {text.slice(pos + 1)}
          </span>
          <span className="block whitespace-pre text-red-600" aria-hidden>
            {" ".repeat(pos)}^
          </span>
        </div>
      )}
    </div>
  );
}

const INLINE = 8;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

function MatchList({ title, matches, testId }: { title: string; matches: Matches; testId: string }) {
  const [all, setAll] = useState(false);
  if (matches.count === 0) return null;
  const shown = all ? matches.sample : matches.sample.slice(0, INLINE);
  const more = matches.sample.length - shown.length;
  return (
    <div className="mt-1">
      <span className="sr-only">{title}: </span>
      <ul className="flex flex-wrap gap-1" aria-label={title} data-testid={testId}>
        {shown.map((m) => (
          <li key={m} className="rounded bg-white px-1.5 py-0.5 font-mono text-[11px] text-slate-700 ring-1 ring-slate-200">
            {m}
          </li>
        ))}
        {more > 0 && (
          <li>
            <button type="button" className="rounded px-1.5 py-0.5 text-[11px] font-medium text-brand-700 hover:bg-brand-50" onClick={() => setAll(true)}>
              show {more} more
            </button>
          </li>
        )}
        {all && matches.count > matches.sample.length && <li className="px-1.5 py-0.5 text-[11px] text-slate-500">… and {(matches.count - matches.sample.length).toLocaleString()} more</li>}
      </ul>
    </div>
  );
}

function PreviewView({ id, testId, text, preview, invalid, emptyNote }: { id: string; testId: string; text: string; preview: Preview | null; invalid: boolean; emptyNote: string | null }) {
  let body: ReactNode;
  if (emptyNote !== null) body = <p className="text-slate-500">{emptyNote}</p>;
  else if (invalid) body = <p className="text-slate-500">Preview paused until the selector is valid.</p>;
  else if (preview === null) body = <p className="text-slate-500">Loading the cluster inventory for the preview…</p>;
  else if (preview.status !== "ok") body = <p className="text-slate-600">{preview.note}</p>;
  else {
    const verb = preview.mode === "applies-to" ? "Selects" : preview.mode === "excludes" ? "Excludes" : "Matches";
    body = (
      <>
        <p className="text-slate-700">
          {verb}{" "}
          <output className="font-semibold tabular-nums text-slate-900" data-testid={`${testId}-count`}>
            {plural(preview.pods.count, "pod")}
          </output>
          {preview.sets && (
            <>
              {" · "}
              <output className="font-semibold tabular-nums text-slate-900" data-testid={`${testId}-sets-count`}>
                {plural(preview.sets.count, "network set")}
              </output>
            </>
          )}
          {preview.namespaces && (
            <>
              {" · in "}
              <output className="font-semibold tabular-nums text-slate-900">{plural(preview.namespaces.count, "namespace")}</output>
            </>
          )}
        </p>
        {preview.namespaces && <MatchList title="Matching namespaces" matches={preview.namespaces} testId={`${testId}-namespaces`} />}
        <MatchList title="Matching pods" matches={preview.pods} testId={`${testId}-pods`} />
        {preview.sets && <MatchList title="Matching network sets" matches={preview.sets} testId={`${testId}-sets`} />}
        {preview.note && <p className="mt-1 text-slate-500">{preview.note}</p>}
      </>
    );
  }
  return (
    <div id={id} className="rounded-md bg-slate-50 px-2.5 py-1.5 text-xs" data-testid={`${testId}-preview`} data-for={text} data-state={invalid ? "invalid" : emptyNote !== null ? "empty" : (preview?.status ?? "loading")}>
      {body}
    </div>
  );
}

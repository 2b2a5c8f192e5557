import type { DiffLine } from "@/server/policy/line-diff";
import { cn } from "../ui/cn";

/** A unified line diff with +/- gutters; `label` names it for assistive technology. */
export function DiffView({ lines, label }: { lines: DiffLine[]; label: string }) {
  if (lines.length === 0) return <p className="text-sm text-slate-500">No content.</p>;
  return (
    <pre aria-label={label} data-testid="diff" className="max-h-[28rem] overflow-auto rounded-md border border-slate-200 bg-slate-50 py-2 text-xs leading-5">
      {lines.map((l, i) => (
        <div
          key={i}
          className={cn("whitespace-pre px-3", l.op === "add" && "bg-emerald-50 text-emerald-900", l.op === "del" && "bg-red-50 text-red-900")}
          data-op={l.op}
        >
          <span aria-hidden className="mr-2 select-none text-slate-400">{l.op === "add" ? "+" : l.op === "del" ? "-" : " "}</span>
          <span className="sr-only">{l.op === "add" ? "added: " : l.op === "del" ? "removed: " : ""}</span>
          {l.text}
        </div>
      ))}
    </pre>
  );
}

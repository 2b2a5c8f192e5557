import { Label } from "radix-ui";
import { forwardRef, useId, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import { cn } from "./cn";
import { describedBy, FieldMessages } from "./field";

interface Labelled {
  label: string;
  error?: string;
  hint?: ReactNode;
}

/** A labelled select whose accessible name is just its label; hint and error wired like Field. */
export const SelectField = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement> & Labelled>(function SelectField({ label, error, hint, id, className, children, ...props }, ref) {
  const auto = useId();
  const selectId = id ?? auto;
  return (
    <div className={cn("flex flex-col gap-1", className)}>
      <Label.Root htmlFor={selectId} className="text-sm font-medium text-slate-700">
        {label}
      </Label.Root>
      <select
        ref={ref}
        id={selectId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(selectId, hint, error)}
        className={cn("rounded-md border bg-white px-2 py-2 text-sm shadow-sm outline-none focus:ring-2 focus:ring-brand-500 disabled:bg-slate-50", error ? "border-red-500" : "border-slate-300")}
        {...props}
      >
        {children}
      </select>
      <FieldMessages id={selectId} hint={hint} error={error} />
    </div>
  );
});

/** A labelled monospace textarea (lists, YAML) with hint and error, like Field. */
export const TextareaField = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement> & Labelled>(function TextareaField({ label, error, hint, id, className, ...props }, ref) {
  const auto = useId();
  const areaId = id ?? auto;
  return (
    <div className={cn("flex flex-col gap-1", className)}>
      <Label.Root htmlFor={areaId} className="text-sm font-medium text-slate-700">
        {label}
      </Label.Root>
      <textarea
        ref={ref}
        id={areaId}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(areaId, hint, error)}
        className={cn("rounded-md border bg-white px-3 py-2 font-mono text-xs shadow-sm outline-none focus:ring-2 focus:ring-brand-500", error ? "border-red-500" : "border-slate-300")}
        {...props}
      />
      <FieldMessages id={areaId} hint={hint} error={error} />
    </div>
  );
});

import { Label } from "radix-ui";
import { forwardRef, useId, type InputHTMLAttributes, type ReactNode } from "react";
import { cn } from "./cn";

export interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  error?: string;
  hint?: ReactNode;
}

/** A field's hint and error, with the ids `describedBy` points at. */
export function FieldMessages({ id, hint, error }: { id: string; hint?: ReactNode; error?: string }) {
  return (
    <>
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} role="alert" className="text-xs font-medium text-red-600">
          {error}
        </p>
      )}
    </>
  );
}

/** aria-describedby for a control with FieldMessages. */
export const describedBy = (id: string, hint: unknown, error: unknown) => [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;

/** A labelled input with its hint and error wired to aria-describedby / aria-invalid. */
export const Field = forwardRef<HTMLInputElement, FieldProps>(function Field({ label, error, hint, id, className, ...props }, ref) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className={cn("flex flex-col gap-1", className)}>
      <Label.Root htmlFor={inputId} className="text-sm font-medium text-slate-700">
        {label}
      </Label.Root>
      <input
        ref={ref}
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(inputId, hint, error)}
        className={cn(
          "rounded-md border bg-white px-3 py-2 text-sm shadow-sm outline-none focus:ring-2 focus:ring-brand-500",
          error ? "border-red-500" : "border-slate-300",
        )}
        {...props}
      />
      <FieldMessages id={inputId} hint={hint} error={error} />
    </div>
  );
});

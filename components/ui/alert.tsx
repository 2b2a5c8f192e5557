import type { ReactNode } from "react";
import { cn } from "./cn";

export function Alert({ tone = "error", children, className }: { tone?: "error" | "info" | "success" | "warning"; children: ReactNode; className?: string }) {
  const tones = {
    error: "border-red-200 bg-red-50 text-red-800",
    info: "border-brand-100 bg-brand-50 text-brand-900",
    success: "border-emerald-200 bg-emerald-50 text-emerald-800",
    warning: "border-amber-200 bg-amber-50 text-amber-900",
  };
  return (
    <div role={tone === "error" ? "alert" : "status"} className={cn("rounded-md border px-3 py-2 text-sm", tones[tone], className)}>
      {children}
    </div>
  );
}

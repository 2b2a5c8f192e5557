"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import { clusterKeys } from "./clusters-list";

export interface ClusterOption {
  name: string;
  displayName: string;
}

/** The clusters the user may pick from, and the picked one (the first until the user chooses). */
export function useClusterPicker() {
  const clusters = useQuery({ queryKey: clusterKeys.list(), queryFn: () => api<{ items: ClusterOption[] }>("/api/v1/clusters") });
  const [picked, setPicked] = useState("");
  const cluster = picked || clusters.data?.items[0]?.name || "";
  return { clusters, cluster, setCluster: setPicked };
}

/** A labelled cluster select, shown only when there is more than one cluster to choose from. */
export function ClusterSelect({ options, value, onChange, className = "mb-4 w-64" }: { options: readonly ClusterOption[] | undefined; value: string; onChange: (name: string) => void; className?: string }) {
  if (!options || options.length < 2) return null;
  return (
    <label className={`flex flex-col gap-1 text-sm font-medium text-slate-700 ${className}`}>
      Cluster
      <select className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm" value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((c) => (
          <option key={c.name} value={c.name}>
            {c.displayName}
          </option>
        ))}
      </select>
    </label>
  );
}

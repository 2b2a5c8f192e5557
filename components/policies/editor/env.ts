"use client";

import { createContext, useContext } from "react";
import type { Path, PolicyKind } from "./document";
import type { InventoryModel, NetworkSetInfo } from "./preview";

/** What every part of the form needs: the inventory model, the policy's scope and the writer. */
export interface EditorEnv {
  /** null while the inventory loads (or when it could not be loaded). */
  model: InventoryModel | null;
  networkSets: readonly NetworkSetInfo[];
  kind: PolicyKind;
  /** The policy's namespace (NetworkPolicy) or null. */
  namespace: string | null;
  onChange: (path: Path, value: unknown) => void;
}

export const EditorEnvContext = createContext<EditorEnv | null>(null);

export function useEditorEnv(): EditorEnv {
  const env = useContext(EditorEnvContext);
  if (!env) throw new Error("useEditorEnv outside the policy editor");
  return env;
}

import type { DiffLine } from "@/server/policy/line-diff";
import type { TChangeState } from "@/server/policy/changes";

export interface ChangeSummary {
  id: string;
  number: number;
  cluster: string;
  title: string;
  description: string;
  state: TChangeState;
  authorName: string;
  baseRevision: number;
  round: number;
  rollbackOf: number | null;
  publishedRevision: number | null;
  conflicts: Array<{ kind: string; namespace: string; name: string; baseVersion: number; currentVersion: number }> | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  publishedAt: string | null;
  changes?: number;
}

export interface ResourceDiff {
  beforeYaml: string;
  afterYaml: string;
  diff: DiffLine[];
  added: number;
  removed: number;
}

export interface ChangeItem extends ResourceDiff {
  id: string;
  op: "create" | "update" | "delete";
  kind: string;
  namespace: string;
  name: string;
  baseVersion: number;
  currentVersion: number;
  stale: boolean;
}

export interface ChangeDetail extends ChangeSummary {
  tiers: string[];
  approvalsRequired: number;
  approvalsCount: number;
  items: ChangeItem[];
  approvals: Array<{ id: string; userName: string; decision: "approve" | "reject"; comment: string; round: number; current: boolean; createdAt: string }>;
  comments: Array<{ id: string; authorName: string; body: string; createdAt: string }>;
  allowed: { edit: boolean; submit: boolean; withdraw: boolean; approve: boolean; reject: boolean; publish: boolean; rebase: boolean; comment: boolean };
}

export interface Impact {
  inventory: { namespaces: number; pods: number };
  policies: Array<{
    kind: string;
    namespace: string | null;
    name: string;
    op: string;
    selectedBefore: number;
    selectedAfter: number;
    newlySelected: { count: number; pods: string[] };
    noLongerSelected: { count: number; pods: string[] };
  }>;
  flows: {
    sample: { sources: number; destinations: number; evaluated: number; possible: number; capped: boolean; note: string };
    allowToDeny: number;
    denyToAllow: number;
    changes: Array<{ source: string; destination: string; port?: number; before: string; after: string }>;
    listedChanges: number;
  };
}

export interface RevisionSummary {
  number: number;
  title: string;
  publishedAt: string;
  publishedBy: string;
  changeRequestId: string | null;
  changeRequestNumber: number | null;
  resourceCount: number;
  changeCount: number;
  bundleSha256: string;
  keyId: string;
}

export interface RevisionDetail extends Omit<RevisionSummary, "changeCount"> {
  cluster: string;
  changes: Array<ResourceDiff & { op: string; kind: string; namespace: string; name: string; fromVersion: number; toVersion: number }>;
}

export const STATE_TONE: Record<TChangeState, "slate" | "green" | "red" | "blue" | "amber"> = {
  draft: "slate",
  submitted: "blue",
  approved: "green",
  published: "green",
  rejected: "red",
  withdrawn: "slate",
  conflicted: "amber",
};

export function resourceLabel(r: { kind: string; namespace: string | null; name: string }): string {
  return r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}

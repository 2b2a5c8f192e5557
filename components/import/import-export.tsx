"use client";

import { ClusterSelect, useClusterPicker } from "../clusters/cluster-picker";
import { Alert } from "../ui/alert";
import { PageHeader } from "../ui/card";
import { EmptyState, Loading } from "../ui/empty";
import { ExportSelection } from "./export-selection";
import { ImportYaml } from "./import-yaml";

/** Import / export: YAML in (previewed, into your draft) and a hand-picked selection out. */
export function ImportExport({ canAuthor }: { canAuthor: boolean }) {
  const { clusters, cluster, setCluster } = useClusterPicker();
  return (
    <>
      <PageHeader
        title="Import / export"
        description="Bring calicoctl or Kubernetes YAML in through your draft change request, after a preview of what each document would do; take any selection of the published resources out as YAML that calicoctl apply accepts."
      />
      <ClusterSelect options={clusters.data?.items} value={cluster} onChange={setCluster} />
      {clusters.isPending && <Loading />}
      {clusters.isError && <Alert>Could not load clusters: {clusters.error.message}</Alert>}
      {clusters.data && clusters.data.items.length === 0 && <EmptyState title="No cluster yet">Add a cluster first; resources are imported into and exported from one cluster.</EmptyState>}
      {cluster && (
        <div className="flex flex-col gap-6">
          <ImportYaml key={`import-${cluster}`} cluster={cluster} canAuthor={canAuthor} />
          <ExportSelection key={`export-${cluster}`} cluster={cluster} />
        </div>
      )}
    </>
  );
}

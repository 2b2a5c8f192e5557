/**
 * The agent's view of the cluster: pods and namespaces, kept by `@kubernetes/client-node`
 * informers (list, then watch; 410 → relist is handled by the client). An informer that stops
 * on an error is started again with exponential backoff. `ready()` turns true once both
 * informers have completed their first full list; nothing is programmed before that.
 */
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type KubernetesObject, type ObjectCache, type V1Namespace, type V1Pod } from "@kubernetes/client-node";

export interface KubeConfigOptions {
  /** Path to a kubeconfig file; when unset, in-cluster config is used if present, else the default loading rules. */
  kubeconfigPath?: string | undefined;
  inCluster?: boolean | undefined;
}

export function loadKubeConfig(opts: KubeConfigOptions): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfigPath) kc.loadFromFile(opts.kubeconfigPath);
  else if (opts.inCluster) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

export interface ClusterSourceOptions {
  kubeConfig: KubeConfig;
  /** Called on every add/update/delete (the reconcile loop only marks itself dirty). */
  onChange: () => void;
  /** Called when an informer fails (it is restarted with backoff). */
  onError?: (resource: "pods" | "namespaces", err: unknown) => void;
  /** Backoff between informer restarts: initial and maximum delay in ms (default 500 / 30 000). */
  restartBackoffMs?: { initial: number; max: number };
}

type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

interface Slot<T extends KubernetesObject> {
  name: "pods" | "namespaces";
  informer: Watched<T>;
  listed: boolean;
  delay: number;
  timer: NodeJS.Timeout | undefined;
}

export class ClusterSource {
  private readonly pods: Slot<V1Pod>;
  private readonly namespaces: Slot<V1Namespace>;
  private stopped = true;
  private readonly backoff: { initial: number; max: number };
  /** Informer restarts so far (for status and tests). */
  restarts = 0;

  constructor(private readonly opts: ClusterSourceOptions) {
    this.backoff = opts.restartBackoffMs ?? { initial: 500, max: 30_000 };
    const api = opts.kubeConfig.makeApiClient(CoreV1Api);
    const podInformer = makeInformer<V1Pod>(opts.kubeConfig, "/api/v1/pods", () => api.listPodForAllNamespaces());
    const nsInformer = makeInformer<V1Namespace>(opts.kubeConfig, "/api/v1/namespaces", () => api.listNamespace());
    this.pods = { name: "pods", informer: podInformer, listed: false, delay: this.backoff.initial, timer: undefined };
    this.namespaces = { name: "namespaces", informer: nsInformer, listed: false, delay: this.backoff.initial, timer: undefined };
    for (const slot of [this.pods, this.namespaces] as Slot<KubernetesObject>[]) this.wire(slot);
  }

  private wire(slot: Slot<KubernetesObject>): void {
    const changed = () => {
      if (!this.stopped) this.opts.onChange();
    };
    slot.informer.on("add", changed);
    slot.informer.on("update", changed);
    slot.informer.on("delete", changed);
    slot.informer.on("connect", () => {
      slot.delay = this.backoff.initial;
    });
    slot.informer.on("error", (err) => {
      if (this.stopped) return;
      this.opts.onError?.(slot.name, err);
      this.schedule(slot);
    });
  }

  private schedule(slot: Slot<KubernetesObject>): void {
    if (slot.timer || this.stopped) return;
    const delay = slot.delay;
    slot.delay = Math.min(slot.delay * 2, this.backoff.max);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      this.restarts++;
      void this.run(slot);
    }, delay);
  }

  private async run(slot: Slot<KubernetesObject>): Promise<void> {
    if (this.stopped) return;
    try {
      await slot.informer.start();
      slot.listed = true;
      this.opts.onChange();
    } catch (err) {
      if (this.stopped) return;
      this.opts.onError?.(slot.name, err);
      this.schedule(slot);
    }
  }

  /** Starts both informers; resolves at once (watch `ready()` / onChange for the first list). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.run(this.pods as unknown as Slot<KubernetesObject>);
    void this.run(this.namespaces as unknown as Slot<KubernetesObject>);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of [this.pods, this.namespaces] as Slot<KubernetesObject>[]) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = undefined;
      await slot.informer.stop().catch(() => undefined);
    }
  }

  /** True once both informers have completed a full list. */
  ready(): boolean {
    return this.pods.listed && this.namespaces.listed;
  }

  listPods(): readonly V1Pod[] {
    return this.pods.informer.list();
  }

  listNamespaces(): readonly V1Namespace[] {
    return this.namespaces.informer.list();
  }
}

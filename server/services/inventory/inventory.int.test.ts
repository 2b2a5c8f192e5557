import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "../../../test/db";
import { callRoute as call, discoverRoutes, userWithRoles, type DiscoveredRoute } from "../../../test/api";
import { seedDatabase } from "../seed/seed-database";

let database: Awaited<ReturnType<typeof freshDatabase>>;
let routes: DiscoveredRoute[];
let cookie: string;
beforeAll(async () => {
  database = await freshDatabase();
  await seedDatabase(database.client, { adminUsername: "root", adminPassword: "root-password-123", demo: true });
  routes = await discoverRoutes();
  cookie = (await userWithRoles(["viewer"])).cookie;
});
afterAll(async () => database.drop());

const pods = () => routes.find((r) => r.method === "GET" && r.pattern === "/api/v1/clusters/[cluster]/pods")!;
async function get(r: DiscoveredRoute, query: string) {
  const withQuery = { ...r, pattern: r.pattern + query };
  return call(withQuery, { cookie });
}

describe("inventory API", () => {
  it("filters pods by namespace, label equality and label presence, and paginates", async () => {
    const all = (await (await get(pods(), "?pageSize=500")).json()) as { total: number; items: unknown[] };
    expect(all.total).toBe(182);
    const pay = (await (await get(pods(), "?namespace=payments&label=app%3Dledger-db")).json()) as { total: number; items: Array<{ name: string; labels: Record<string, string> }> };
    expect(pay.total).toBe(3);
    expect(pay.items.map((p) => p.name)).toEqual(["ledger-db-0", "ledger-db-1", "ledger-db-2"]);
    const sts = (await (await get(pods(), "?label=statefulset.kubernetes.io%2Fpod-name&pageSize=5&page=2")).json()) as { total: number; items: unknown[]; page: number };
    expect(sts.items).toHaveLength(5);
    expect(sts.page).toBe(2);
    expect(sts.total).toBeGreaterThan(20);
    const dns = (await (await get(pods(), "?label=k8s-app%3Dkube-dns")).json()) as { items: Array<{ namespace: string; ports: Array<{ name: string }> }> };
    expect(dns.items.every((p) => p.namespace === "kube-system" && p.ports.some((x) => x.name === "dns"))).toBe(true);
  });

  it("names the bad query field and refuses unknown clusters", async () => {
    const bad = await get(pods(), "?label=bad%20key");
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: Array<{ path: string }> }).errors[0]!.path).toMatch(/^query\.label/);
    const unknown = await call({ ...pods(), pattern: "/api/v1/clusters/nope/pods" }, { cookie });
    expect(unknown.status).toBe(404);
  });

  it("serves the compact snapshot for the browser's selector index", async () => {
    const r = routes.find((x) => x.pattern === "/api/v1/clusters/[cluster]/inventory")!;
    const snap = (await (await call(r, { cookie })).json()) as { namespaces: unknown[]; pods: Array<[string, string, Record<string, string>, string, string, string[]]> };
    expect(snap.namespaces).toHaveLength(12);
    expect(snap.pods).toHaveLength(182);
    expect(snap.pods[0]![5]![0]).toMatch(/^10\.244\./);
  });
});

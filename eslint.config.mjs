import nextVitals from "eslint-config-next/core-web-vitals";
import tseslint from "typescript-eslint";

/**
 * Import boundaries of DESIGN.md ("who may import what"), enforced by the linter on resolved
 * paths (relative and `@/` imports alike), plus package bans per folder.
 */
const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });
const SERVER_REST = ["./server/services", "./server/http", "./server/auth", "./server/audit", "./server/db", "./server/*.ts"];

const boundaries = [
  zone("./server/policy", "./app", "server/policy is pure and imports only itself"),
  zone("./server/policy", "./components", "server/policy is pure and imports only itself"),
  zone("./server/policy", "./agents", "server/policy is pure and imports only itself"),
  ...SERVER_REST.map((f) => zone("./server/policy", f, "server/policy is pure and imports only itself")),
  ...SERVER_REST.flatMap((t) => [
    zone(t, "./app", "server code never imports app"),
    zone(t, "./components", "server code never imports components"),
    zone(t, "./agents", "server code never imports agents"),
  ]),
  zone("./components", "./server", "components may import server/policy only", ["./policy"]),
  zone("./components", "./app", "components never import app"),
  zone("./components", "./agents", "components never import agents"),
  zone("./app", "./agents", "app never imports agents"),
  zone("./agents", "./app", "agents never import app"),
  zone("./agents", "./components", "agents never import components"),
  zone("./agents", "./server", "agents import server/policy only", ["./policy"]),
];

const NODE_BUILTINS = ["fs", "path", "crypto", "child_process", "os", "http", "https", "net", "url", "util", "stream", "zlib", "dns", "dgram", "buffer", "events"];

export default tseslint.config(
  {
    ignores: ["node_modules/**", ".next/**", ".next-*/**", ".data/**", "server/db/generated/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
  ...nextVitals,
  ...tseslint.configs.recommended,
  {
    settings: { "import/resolver": { typescript: { project: "./tsconfig.json" }, node: true } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
      "import/no-anonymous-default-export": "off",
      // The console does not use the React Compiler; TanStack Table is fine without memoisation.
      "react-hooks/incompatible-library": "off",
      "import/no-restricted-paths": ["error", { zones: boundaries }],
    },
  },
  {
    files: ["**/*.{ts,tsx}"],
    ignores: ["server/db/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@prisma/*", "**/db/generated/*", "**/db/generated"], message: "only server/db touches Prisma: import from server/db" }] }],
    },
  },
  {
    files: ["server/policy/**/*.ts"],
    ignores: ["server/policy/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*", ...NODE_BUILTINS, ...NODE_BUILTINS.map((m) => `${m}/*`)], message: "server/policy is pure: it must run in the browser too" },
            { group: ["next", "next/*", "react", "react/*", "react-dom", "@prisma/*", "pg", "@kubernetes/*", "**/db/generated/*"], message: "server/policy must not depend on frameworks, the database or Kubernetes" },
          ],
        },
      ],
    },
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "pg", "@prisma/*", "@kubernetes/*"], message: "components run in the browser" }] }],
    },
  },
);

import { z } from "zod";

/**
 * Every environment variable the console reads, validated once at start-up.
 * A bad value stops the process with a message naming the variable.
 */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be one of true, false, 1, 0, yes, no" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const ZEnv = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: "must be a postgres:// or postgresql:// connection URL" })
    .optional(),
  PORT: z.coerce.number({ error: "must be a number" }).int().min(1).max(65535).default(3000),
  PORTCULLIS_HOST: z.string().min(1).default("127.0.0.1"),
  PORTCULLIS_PUBLIC_URL: z.url({ error: "must be an absolute URL such as https://portcullis.example.com" }).optional(),
  PORTCULLIS_TRUST_PROXY: bool.default(false),
  PORTCULLIS_DATA_DIR: z.string().min(1).default(".data"),
  PORTCULLIS_EMBEDDED_PG_PORT: z.coerce.number({ error: "must be a number" }).int().min(1024).max(65535).default(54329),
  PORTCULLIS_DEMO: bool.default(true),
  PORTCULLIS_ADMIN_USERNAME: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, { error: "must be 2-63 characters of a-z, 0-9, '.', '_' or '-'" })
    .default("admin"),
  PORTCULLIS_ADMIN_PASSWORD: z.string().min(12, { error: "must be at least 12 characters" }).optional(),
  PORTCULLIS_SESSION_TTL_HOURS: z.coerce.number({ error: "must be a number" }).positive().max(24 * 30).default(12),
  PORTCULLIS_SESSION_IDLE_MINUTES: z.coerce.number({ error: "must be a number" }).positive().max(24 * 60).default(60),
  PORTCULLIS_BODY_LIMIT_BYTES: z.coerce.number({ error: "must be a number" }).int().min(1024).default(1_048_576),
  PORTCULLIS_LOGIN_MAX_FAILURES: z.coerce.number({ error: "must be a number" }).int().min(1).default(5),
  PORTCULLIS_LOGIN_WINDOW_SECONDS: z.coerce.number({ error: "must be a number" }).int().min(1).default(900),
  /** File holding the console's Ed25519 bundle signing key (64 hex digits); the key is kept in the database when unset. */
  PORTCULLIS_SIGNING_KEY_FILE: z.string().min(1).optional(),
  PORTCULLIS_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Build folder (also read by next.config.ts): a plain folder name inside the checkout. */
  PORTCULLIS_NEXT_DIST_DIR: z.string().regex(/^\.?[A-Za-z0-9_-][A-Za-z0-9._-]*$/, { error: "must be a folder name inside the checkout, such as .next-b" }).default(".next"),
});

export type TEnv = z.infer<typeof ZEnv>;

export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; message: string }>) {
    super(
      "Invalid configuration:\n" + problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function parseEnv(env: Record<string, string | undefined>): TEnv {
  // Empty strings count as unset, as shells commonly export VAR= to clear a value.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = ZEnv.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => ({ variable: String(i.path[0] ?? "environment"), message: i.message })),
    );
  }
  return result.data;
}

let cached: TEnv | undefined;

export function config(): TEnv {
  cached ??= parseEnv(process.env);
  return cached;
}

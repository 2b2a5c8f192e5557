import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./config";

describe("parseEnv", () => {
  it("applies defaults", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.PORTCULLIS_DEMO).toBe(true);
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("names the bad variable", () => {
    try {
      parseEnv({ PORT: "eighty", DATABASE_URL: "mysql://x" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const vars = (err as ConfigError).problems.map((p) => p.variable).sort();
      expect(vars).toEqual(["DATABASE_URL", "PORT"]);
      expect((err as Error).message).toContain("PORT: must be a number");
    }
  });

  it("rejects a short admin password and parses booleans", () => {
    expect(() => parseEnv({ PORTCULLIS_ADMIN_PASSWORD: "short" })).toThrow(/PORTCULLIS_ADMIN_PASSWORD/);
    expect(parseEnv({ PORTCULLIS_DEMO: "false" }).PORTCULLIS_DEMO).toBe(false);
    expect(() => parseEnv({ PORTCULLIS_DEMO: "maybe" })).toThrow(/PORTCULLIS_DEMO/);
  });

  it("takes a build folder inside the checkout only", () => {
    expect(parseEnv({}).PORTCULLIS_NEXT_DIST_DIR).toBe(".next");
    expect(parseEnv({ PORTCULLIS_NEXT_DIST_DIR: ".next-b" }).PORTCULLIS_NEXT_DIST_DIR).toBe(".next-b");
    expect(() => parseEnv({ PORTCULLIS_NEXT_DIST_DIR: "../elsewhere" })).toThrow(/PORTCULLIS_NEXT_DIST_DIR: must be a folder name/);
    expect(() => parseEnv({ PORTCULLIS_NEXT_DIST_DIR: "/tmp/x" })).toThrow(/PORTCULLIS_NEXT_DIST_DIR/);
  });
});

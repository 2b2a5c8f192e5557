/**
 * Shared building blocks of the resource schemas: name formats, Kubernetes
 * label syntax (reference §1.5), object metadata and selector fields.
 */
import { z } from "zod";
import { parseSelector, SelectorSyntaxError } from "../selector/index";

export const CALICO_API_VERSION = "projectcalico.org/v3";
export const PORTCULLIS_API_VERSION = "portcullis.dev/v1";

const DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
export const DNS_LABEL_RE = new RegExp(`^${DNS_LABEL}$`);
export const DNS_SUBDOMAIN_RE = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
const LABEL_NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL_RE.test(s);
}

export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN_RE.test(s) && s.split(".").every((p) => p.length <= 63);
}

/** Why a label key is not a Kubernetes qualified name (§1.5), or null when it is one. */
export function labelKeyProblem(key: string): string | null {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : null;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== null) {
    if (prefix.length === 0) return `label key "${key}": the prefix before "/" is empty`;
    if (!isDnsSubdomain(prefix)) {
      return `label key "${key}": prefix "${prefix}" must be a DNS subdomain (lower-case alphanumerics, "-" and ".", at most 253 characters)`;
    }
  }
  if (name.length === 0) return `label key "${key}": the name part is empty`;
  if (name.length > 63) return `label key "${key}": the name part is longer than 63 characters`;
  if (!LABEL_NAME_RE.test(name)) {
    return `label key "${key}": name "${name}" must be alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric`;
  }
  return null;
}

/** Why a label value is invalid (§1.5), or null when it is valid. Empty values are valid. */
export function labelValueProblem(value: string): string | null {
  if (value.length === 0) return null;
  if (value.length > 63) return `label value "${value}" is longer than 63 characters`;
  if (!LABEL_NAME_RE.test(value)) {
    return `label value "${value}" must be alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric`;
  }
  return null;
}

/** Labels map with per-key issues (the issue path names the offending key). */
export const ZLabels = z.record(z.string(), z.string({ error: "label values must be strings (quote numbers and booleans)" })).superRefine((labels, ctx) => {
  for (const [k, v] of Object.entries(labels)) {
    const kp = labelKeyProblem(k);
    if (kp) ctx.addIssue({ code: "custom", message: kp, path: [k] });
    const vp = labelValueProblem(v);
    if (vp) ctx.addIssue({ code: "custom", message: vp, path: [k] });
  }
});
export type TLabels = z.output<typeof ZLabels>;

export const ZAnnotations = z.record(z.string(), z.string({ error: "annotation values must be strings" }));

export type NameFormat = "dns-label" | "dns-subdomain" | "policy" | "global-policy";

const POLICY_NAME_RE = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})?$`);
const CONVERTED_POLICY_NAME_RE = new RegExp(`^(knp|ossg)\\.default\\.${DNS_LABEL}(\\.${DNS_LABEL})*$`);

export function nameProblem(name: string, format: NameFormat): string | null {
  if (name.length === 0) return "name is required";
  switch (format) {
    case "dns-label":
      return isDnsLabel(name)
        ? null
        : `name "${name}" must be a DNS label: at most 63 lower-case alphanumerics or "-", starting and ending with an alphanumeric, no dots`;
    case "dns-subdomain":
      return isDnsSubdomain(name)
        ? null
        : `name "${name}" must be a DNS subdomain: lower-case alphanumerics, "-" and ".", at most 253 characters`;
    case "policy":
      if (name.length <= 253 && (POLICY_NAME_RE.test(name) || CONVERTED_POLICY_NAME_RE.test(name)) && name.split(".").every((p) => p.length <= 63)) {
        return null;
      }
      return `name "${name}" must be "label" or "label.label" (lower-case DNS labels, at most one dot), or "knp.default.<name>" for converted Kubernetes policies`;
    case "global-policy":
      if (name.length <= 253 && POLICY_NAME_RE.test(name) && name.split(".").every((p) => p.length <= 63)) return null;
      return `name "${name}" must be "label" or "label.label" (lower-case DNS labels, at most one dot)`;
  }
}

export interface MetaOptions {
  kind: string;
  namespaced: boolean;
  nameFormat: NameFormat;
}

/**
 * `metadata` for a kind. Namespaced kinds default `namespace` to "default" (as
 * calicoctl does without `-n`); cluster-scoped kinds reject a namespace.
 */
export function makeMetadata<N extends boolean>(opts: MetaOptions & { namespaced: N }) {
  const name = z.string({ error: "metadata.name is required" }).superRefine((n, ctx) => {
    const p = nameProblem(n, opts.nameFormat);
    if (p) ctx.addIssue({ code: "custom", message: p });
  });
  const common = {
    name,
    labels: ZLabels.optional(),
    annotations: ZAnnotations.optional(),
    resourceVersion: z.string().optional(),
    uid: z.string().optional(),
    creationTimestamp: z.string().nullable().optional(),
    generation: z.number().optional(),
  };
  const namespaceField = z
    .string()
    .superRefine((n, ctx) => {
      if (!isDnsLabel(n)) ctx.addIssue({ code: "custom", message: `namespace "${n}" must be a DNS label (lower-case alphanumerics and "-", at most 63 characters)` });
    })
    .default("default");
  const noNamespace = z
    .undefined({ error: `${opts.kind} is cluster-scoped: metadata.namespace is not allowed` })
    .optional();
  return z.strictObject({
    ...common,
    namespace: (opts.namespaced ? namespaceField : noNamespace) as N extends true ? typeof namespaceField : typeof noNamespace,
  });
}

export interface SelectorFieldOptions {
  /** Accept `global()` when it is the entire selector (rule namespaceSelector only). */
  allowGlobal?: boolean;
  maxLength?: number;
}

/** Parses a selector and returns why it is invalid for this field, or null. */
export function selectorProblem(text: string, opts: SelectorFieldOptions = {}): string | null {
  if (opts.maxLength !== undefined && text.length > opts.maxLength) {
    return `selector is longer than ${opts.maxLength} characters`;
  }
  let canonical: string;
  try {
    canonical = parseSelector(text).toString();
  } catch (err) {
    if (err instanceof SelectorSyntaxError) {
      const nl = text.search(/[\r\n]/);
      const hint = nl >= 0 && nl <= err.position ? " (a newline is not allowed in a selector: use a plain or quoted one-line string, not a | block)" : "";
      return `${err.message}${hint}`;
    }
    throw err;
  }
  if (text.includes("global(")) {
    if (!opts.allowGlobal) return "global() is only allowed as the entire rule namespaceSelector";
    if (canonical !== "global()") return "global() must be the entire namespaceSelector (it cannot be combined or negated)";
  }
  return null;
}

export function selectorField(opts: SelectorFieldOptions = {}) {
  return z.string({ error: "selector must be a string" }).superRefine((text, ctx) => {
    const p = selectorProblem(text, opts);
    if (p) ctx.addIssue({ code: "custom", message: p });
  });
}

/** A user-facing issue: path into the document plus a message. */
export interface ResourceIssue {
  path: (string | number)[];
  message: string;
}

export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const s = String(seg);
      out += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) ? (out ? "." : "") + s : `[${JSON.stringify(s)}]`;
    }
  }
  return out || "(document)";
}

export function issuesFromZod(error: z.ZodError): ResourceIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    message: i.message,
  }));
}

/**
 * Domain names in DNS policy (`destination.domains`, network set
 * `allowedEgressDomains`), reference §5.
 *
 * Accepted syntax (Calico Enterprise `wildname` validator, as our reference pins it):
 * - the input is lower-cased, then must be a DNS-1123 subdomain: labels of
 *   `[a-z0-9-]` that start and end alphanumeric, joined by single dots;
 * - at most one `*`, as a whole label, either leading (`*.example.com`) or
 *   interior (`update.*.example.com`).
 * Rejected: a trailing dot, `*` alone, a trailing wildcard (`example.*`), more
 * than one wildcard (`*.*.x`), partial wildcards (`g*.com`), regular expressions.
 * We also enforce the DNS length limits (253 characters, 63 per label): longer
 * names cannot occur in DNS, so such a pattern could never match.
 *
 * Matching (Felix DomainInfoStore): case-insensitive; an exact pattern matches
 * only itself; `*` matches ONE OR MORE whole labels at its position
 * (`*.google.com` matches `www.google.com` and `a.b.google.com`, never
 * `google.com`). `matches()` also accepts the observed name with one trailing
 * dot, because names in DNS answers are fully qualified (`www.google.com.`).
 */

export class DomainPatternError extends Error {
  readonly input: string;
  constructor(message: string, input: string) {
    super(message);
    this.name = "DomainPatternError";
    this.input = input;
  }
}

export interface DomainPattern {
  /** The normalised (lower-cased) pattern. */
  readonly text: string;
  readonly wildcard: boolean;
  /** True when the observed DNS name is covered by this pattern. */
  matches(name: string): boolean;
}

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const MAX_NAME = 253;
const MAX_LABEL = 63;

/** Lower-cases an observed DNS name and drops one trailing dot (FQDN form). */
export function normaliseDomainName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

function checkSubdomain(candidate: string, original: string): void {
  if (!SUBDOMAIN.test(candidate)) {
    const why = candidate.endsWith(".")
      ? "a trailing dot is not allowed"
      : "expected DNS labels of a-z, 0-9 and '-', starting and ending with a letter or digit, joined by single dots";
    throw new DomainPatternError(`invalid domain ${JSON.stringify(original)}: ${why}`, original);
  }
  if (candidate.length > MAX_NAME) {
    throw new DomainPatternError(
      `invalid domain ${JSON.stringify(original)}: longer than ${MAX_NAME} characters`,
      original,
    );
  }
  for (const label of candidate.split(".")) {
    if (label.length > MAX_LABEL) {
      throw new DomainPatternError(
        `invalid domain ${JSON.stringify(original)}: label ${JSON.stringify(label)} is longer than ${MAX_LABEL} characters`,
        original,
      );
    }
  }
}

class ExactPattern implements DomainPattern {
  readonly wildcard = false;
  constructor(readonly text: string) {}
  matches(name: string): boolean {
    return normaliseDomainName(name) === this.text;
  }
}

class WildcardPattern implements DomainPattern {
  readonly wildcard = true;
  /** "" for a leading wildcard, else the labels before `*` followed by "." */
  private readonly head: string;
  /** "." followed by the labels after `*` */
  private readonly tail: string;
  constructor(readonly text: string) {
    const star = text.indexOf("*");
    this.head = text.slice(0, star);
    this.tail = text.slice(star + 1);
  }
  matches(name: string): boolean {
    const n = normaliseDomainName(name);
    // At least one character (one whole label) must sit between head and tail.
    return (
      n.length > this.head.length + this.tail.length &&
      n.startsWith(this.head) &&
      n.endsWith(this.tail) &&
      n.charCodeAt(this.head.length) !== 0x2e &&
      n.charCodeAt(n.length - this.tail.length - 1) !== 0x2e
    );
  }
}

/** Parses a `domains` / `allowedEgressDomains` entry. Throws DomainPatternError. */
export function parseDomainPattern(text: string): DomainPattern {
  if (typeof text !== "string" || text.length === 0) {
    throw new DomainPatternError("invalid domain: expected a non-empty domain name", String(text ?? ""));
  }
  const s = text.toLowerCase();
  const stars = s.split("*").length - 1;
  if (stars === 0) {
    checkSubdomain(s, text);
    return new ExactPattern(s);
  }
  if (stars > 1) {
    throw new DomainPatternError(`invalid domain ${JSON.stringify(text)}: expected at most one wildcard '*'`, text);
  }
  let candidate: string;
  if (s === "*") {
    throw new DomainPatternError(`invalid domain ${JSON.stringify(text)}: expected labels besides the wildcard`, text);
  } else if (s.startsWith("*.")) {
    candidate = "example." + s.slice(2);
  } else if (s.endsWith(".*")) {
    throw new DomainPatternError(
      `invalid domain ${JSON.stringify(text)}: a trailing wildcard (x.*) is not supported; expected *.x.y or x.*.y`,
      text,
    );
  } else if (s.includes(".*.")) {
    candidate = s.replace(".*.", ".example.");
  } else {
    throw new DomainPatternError(
      `invalid domain ${JSON.stringify(text)}: expected '*' to be a whole label, leading (*.x.y) or interior (x.*.y)`,
      text,
    );
  }
  checkSubdomain(candidate, text);
  return new WildcardPattern(s);
}

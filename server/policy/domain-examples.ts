/**
 * Example names for a domain pattern (reference §5): a few DNS names the
 * pattern matches and a few near misses it does not, for editors that explain
 * a pattern while it is typed.
 *
 * Candidates are built from the pattern's shape (fill the wildcard with one
 * label and with two, drop it, glue a label to the suffix, add a label in
 * front, drop the first label of an exact name...), and every candidate is
 * then classified by the engine's own matcher (`DomainPattern.matches`), so an
 * example can never disagree with enforcement.
 */
import { parseDomainPattern, type DomainPattern } from "./domain";

export interface DomainExamples {
  /** The normalised pattern. */
  pattern: string;
  /** Names the pattern matches (at most `limit`). */
  matches: string[];
  /** Names close to the pattern that it does not match (at most `limit`). */
  nonMatches: string[];
}

function candidates(p: DomainPattern): string[] {
  const t = p.text;
  const out: string[] = [];
  if (p.wildcard) {
    out.push(t.replace("*", "a"), t.replace("*", "b.c"), t.replace("*", "www"));
    // The wildcard stands for at least one label: without it the name does not match.
    out.push(t.replace("*.", ""));
    // A partial label glued to the suffix ("aexample.com") is not a whole-label match.
    out.push(t.replace("*.", "a"));
    // Something in front of a fixed head ("x.update.a.tigera.io").
    out.push(`x.${t.replace("*", "a")}`);
    // A different top-level label.
    const filled = t.replace("*", "a");
    out.push(`${filled.slice(0, filled.lastIndexOf("."))}.net`);
  } else {
    out.push(t, t.toUpperCase());
    out.push(`www.${t}`);
    const dot = t.indexOf(".");
    if (dot > 0 && t.indexOf(".", dot + 1) > 0) out.push(t.slice(dot + 1));
    out.push(`${t}.example`);
  }
  return [...new Set(out)];
}

/**
 * Examples for a pattern; throws DomainPatternError (from parseDomainPattern)
 * when the pattern itself is invalid.
 */
export function domainExamples(text: string, limit = 3): DomainExamples {
  const p = parseDomainPattern(text);
  const matches: string[] = [];
  const nonMatches: string[] = [];
  for (const name of candidates(p)) {
    // A candidate that is not a valid DNS name is no use as an example.
    if (!isPlausibleName(name)) continue;
    const list = p.matches(name) ? matches : nonMatches;
    if (list.length < limit) list.push(name);
  }
  return { pattern: p.text, matches, nonMatches };
}

function isPlausibleName(name: string): boolean {
  try {
    return !parseDomainPattern(name).wildcard;
  } catch {
    return false;
  }
}

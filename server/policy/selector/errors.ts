/**
 * Error thrown for any selector that the Calico selector language rejects.
 *
 * `position` is the 0-based index into `input` (UTF-16 code units, which equals
 * the byte offset for everything outside string literals because non-ASCII is
 * only legal inside literals) where the problem was detected.
 */
export class SelectorSyntaxError extends Error {
  readonly position: number;
  readonly input: string;

  constructor(detail: string, input: string, position: number) {
    super(`invalid selector: ${detail} at position ${position}`);
    this.name = "SelectorSyntaxError";
    this.position = position;
    this.input = input;
  }
}

/**
 * Calico selector language: tokenizer, parser, canonical printer, UID,
 * label restrictions and the combinators used to build effective selectors.
 */
export type {
  AllNode,
  AndNode,
  GlobalNode,
  HasNode,
  Labels,
  NotNode,
  OrNode,
  SelectorNode,
  SetNode,
  SetOp,
  ValueNode,
  ValueOp,
} from "./ast";
export { evaluateNode } from "./ast";
export { compareBytes, sortedUnique } from "./byte-order";
export { SelectorSyntaxError } from "./errors";
export type { LabelRestriction } from "./label-restrictions";
export { printNode, quoteValue } from "./printer";
export {
  ALL,
  NONE,
  andSelectors,
  isValidSelector,
  parseSelector,
  prefixLabels,
  replaceAll,
  selectorEq,
  selectorFromNode,
  selectorHas,
  type Selector,
} from "./selector";
export { makeUniqueId } from "./sha224";
export { MAX_LABEL_LENGTH, isLabelChar, isValidLabel, tokenize, type Token, type TokenKind } from "./tokenizer";

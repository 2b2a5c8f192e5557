/**
 * Portcullis policy core: the package entry. Pure TypeScript shared by the
 * console (server and browser), the agents and the CLI.
 */

// Selector language
export {
  ALL,
  NONE,
  andSelectors,
  isValidSelector,
  parseSelector,
  prefixLabels,
  replaceAll,
  selectorEq,
  selectorHas,
  compareBytes,
  SelectorSyntaxError,
  type Labels,
  type Selector,
  type SelectorNode,
} from "./selector/index";

// Domains, CIDRs, selector index
export { DomainPatternError, normaliseDomainName, parseDomainPattern, type DomainPattern } from "./domain";
export {
  buildCidrSet,
  cidrContains,
  cidrContainsIp,
  CidrError,
  parseCidr,
  parseIp,
  type Cidr,
  type CidrSet,
  type IpFamily,
  type ParsedIp,
} from "./cidr";
export { SelectorIndex, type IndexedEndpoint } from "./selector-index";

// Resource schemas and parsing
export * from "./resources/index";

// YAML
export {
  formatYamlIssue,
  parseResourcesYaml,
  parseYamlDocuments,
  resourcesFromYaml,
  resourcesToYaml,
  resourceToPlain,
  YamlResourceError,
  type Located,
  type YamlIssue,
  type YamlParseResult,
} from "./yaml";

// Effective selectors (§1.6)
export * from "./effective";

// Flow evaluation
export * from "./evaluate";

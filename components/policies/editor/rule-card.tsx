"use client";

import { memo, useId, useMemo, useState, type ReactNode } from "react";
import { PROTOCOL_NAMES, RULE_ACTIONS } from "@/server/policy/resources/rule";
import { Button } from "../../ui/button";
import { cn } from "../../ui/cn";
import { asArray, displayScalar, getIn, isRecord, parsePortList, splitList, type Direction, type Path, type Side } from "./document";
import { useEditorEnv } from "./env";
import { describedBy, DomainListField, FieldFrame, IssueText, ListField, NumberField } from "./fields";
import { issuesAt, pathKey, type Issue } from "./issues";
import { NetworkSetPicker } from "./network-set-picker";
import { entityLike, previewFor, type EntityField, type Preview } from "./preview";
import { SelectorField } from "./selector-field";

const RULE_KEYS = new Set(["action", "protocol", "notProtocol", "ipVersion", "source", "destination"]);
const ENTITY_KEYS = new Set(["selector", "notSelector", "namespaceSelector", "nets", "notNets", "ports", "notPorts", "serviceAccounts", "domains"]);

function Select({ label, value, onChange, children, path, issues, hint, testId }: { label: string; value: string; onChange: (v: string) => void; children: ReactNode; path: Path; issues: readonly Issue[]; hint?: ReactNode; testId?: string }) {
  const id = useId();
  const key = pathKey(path);
  return (
    <FieldFrame id={id} label={label} hint={hint} issues={issues} base={key}>
      <select
        id={id}
        data-path={key}
        data-testid={testId}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={issues.length ? true : undefined}
        aria-describedby={describedBy(id, hint, issues)}
        className={cn("rounded-md border bg-white px-2 py-2 text-sm", issues.length ? "border-red-500" : "border-slate-300")}
      >
        {children}
      </select>
    </FieldFrame>
  );
}

function ProtocolField({ label, path, value, issues }: { label: string; path: Path; value: unknown; issues: readonly Issue[] }) {
  const { onChange } = useEditorEnv();
  const [numberMode, setNumberMode] = useState(false);
  const known = typeof value === "string" && (PROTOCOL_NAMES as readonly string[]).includes(value);
  const mode = value === undefined ? (numberMode ? "number" : "") : known ? (value as string) : "number";
  return (
    <div className="flex min-w-0 flex-col gap-2">
      <Select
        label={label}
        path={path}
        value={mode}
        issues={mode === "number" ? [] : issues}
        onChange={(v) => {
          setNumberMode(v === "number");
          onChange(path, v === "" || v === "number" ? undefined : v);
        }}
      >
        <option value="">Any</option>
        {PROTOCOL_NAMES.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
        <option value="number">Number…</option>
      </Select>
      {mode === "number" && <NumberField label={`${label} number (1-255)`} path={path} value={value} onChange={onChange} issues={issues} />}
    </div>
  );
}

interface EntityProps {
  direction: Direction;
  index: number;
  side: Side;
  entity: unknown;
  action: unknown;
  ruleName: string;
  issues: readonly Issue[];
}

function EntityEditor({ direction, index, side, entity, action, ruleName, issues }: EntityProps) {
  const env = useEditorEnv();
  const { model, onChange } = env;
  const base: Path = ["spec", direction, index, side];
  const e = isRecord(entity) ? entity : {};
  const policy = useMemo(() => ({ kind: env.kind, metadata: { name: "", namespace: env.namespace ?? undefined }, spec: {} }), [env.kind, env.namespace]);
  const previews = useMemo(() => {
    const out = {} as Record<EntityField, Preview | null>;
    const like = entityLike(entity);
    for (const field of ["selector", "notSelector", "namespaceSelector", "serviceAccounts.selector"] as const) {
      out[field] = model ? previewFor(model, policy, like, { scope: "rule", direction, index, side, field }) : null;
    }
    return out;
  }, [model, policy, entity, direction, index, side]);
  const at = (p: Path, descendants = false) => issuesAt(issues, pathKey([...base, ...p]), descendants);
  const vocab = model?.vocabulary;
  const tid = `${direction}-${index}-${side}`;
  const domainsAllowed = direction === "egress" && side === "destination";
  const hasDomains = asArray(e.domains).length > 0;
  const domainBlock =
    action !== "Allow"
      ? "Domains are allowed in egress Allow rules only: set the action to Allow to add domains."
      : e.selector !== undefined || e.nets !== undefined
        ? "Domains cannot be combined with a destination selector or nets: remove them to add domains (use another rule for those)."
        : null;
  const extra = Object.keys(e).filter((k) => !ENTITY_KEYS.has(k));
  const negationsSet = ["notSelector", "notNets", "notPorts", "serviceAccounts"].some((k) => e[k] !== undefined);
  const p0 = previews.selector;
  const matchedSets = p0 && p0.status === "ok" && p0.sets ? p0.sets.sample : [];
  const sideName = side === "source" ? "Source" : "Destination";
  return (
    <div className="flex flex-col gap-3">
      {extra.length > 0 && (
        <p className="text-xs text-slate-500">
          Also set (kept as is, edit in YAML): <code>{extra.join(", ")}</code>
        </p>
      )}
      <SelectorField
        label={`${sideName} selector`}
        path={[...base, "selector"]}
        value={e.selector}
        onChange={onChange}
        vocabulary={vocab?.endpoint ?? null}
        preview={previews.selector}
        issues={at(["selector"])}
        placeholder="app == 'db' (pods and network sets)"
        testId={`${tid}-selector`}
        emptyNote={hasDomains ? "Not set: the destination is the addresses its domains resolve to." : undefined}
        actions={
          <NetworkSetPicker
            sets={env.networkSets}
            matched={matchedSets}
            policy={{ kind: env.kind, namespace: env.namespace }}
            ruleName={`${ruleName}, ${side}`}
            onPick={(selector, nsSel) => {
              onChange([...base, "selector"], selector);
              onChange([...base, "namespaceSelector"], nsSel ?? undefined);
            }}
          />
        }
      />
      <SelectorField
        label={`${sideName} namespace selector`}
        path={[...base, "namespaceSelector"]}
        value={e.namespaceSelector}
        onChange={onChange}
        vocabulary={vocab?.namespace ?? null}
        preview={previews.namespaceSelector}
        issues={at(["namespaceSelector"])}
        allowGlobal
        placeholder="team == 'payments', all() or global()"
        hint="Namespaces by their labels (projectcalico.org/name for a name); global() reaches GlobalNetworkSets only."
        testId={`${tid}-namespaceSelector`}
        emptyNote={
          env.kind === "NetworkPolicy"
            ? `Not set: this side's selectors match in ${env.namespace ?? "default"} only.`
            : "Not set: this side's selectors match in every namespace and every network set."
        }
      />
      <div className="grid gap-3 md:grid-cols-2">
        <ListField label={`${sideName} nets`} path={[...base, "nets"]} value={e.nets} onChange={onChange} parse={splitList} issues={at(["nets"], true)} placeholder="10.0.0.0/8, 203.0.113.7" testId={`${tid}-nets`} />
        <ListField
          label={`${sideName} ports`}
          path={[...base, "ports"]}
          value={e.ports}
          onChange={onChange}
          parse={parsePortList}
          issues={at(["ports"], true)}
          placeholder="443, 8000:8080, http"
          testId={`${tid}-ports`}
        />
      </div>
      {domainsAllowed && (hasDomains || domainBlock === null) && (
        <DomainListField path={[...base, "domains"]} value={e.domains} onChange={onChange} issues={at(["domains"], true)} blockedReason={hasDomains ? null : domainBlock} />
      )}
      {domainsAllowed && !hasDomains && domainBlock !== null && <p className="text-xs text-slate-500">{domainBlock}</p>}
      <details className="rounded-md border border-slate-200 px-3 py-2" open={negationsSet || undefined}>
        <summary className="cursor-pointer text-sm font-medium text-slate-700">Negations and service accounts</summary>
        <div className="mt-3 flex flex-col gap-3">
          <SelectorField
            label={`${sideName} not selector`}
            path={[...base, "notSelector"]}
            value={e.notSelector}
            onChange={onChange}
            vocabulary={vocab?.endpoint ?? null}
            preview={previews.notSelector}
            issues={at(["notSelector"])}
            placeholder="role == 'debug'"
            testId={`${tid}-notSelector`}
            emptyNote="Not set: nothing is excluded."
          />
          <div className="grid gap-3 md:grid-cols-2">
            <ListField label={`${sideName} not nets`} path={[...base, "notNets"]} value={e.notNets} onChange={onChange} parse={splitList} issues={at(["notNets"], true)} placeholder="10.1.0.0/16" />
            <ListField label={`${sideName} not ports`} path={[...base, "notPorts"]} value={e.notPorts} onChange={onChange} parse={parsePortList} issues={at(["notPorts"], true)} placeholder="22" />
          </div>
          <ListField
            label={`${sideName} service account names`}
            path={[...base, "serviceAccounts", "names"]}
            value={getIn(e, ["serviceAccounts", "names"])}
            onChange={onChange}
            parse={splitList}
            issues={at(["serviceAccounts", "names"], true)}
            placeholder="api, worker"
          />
          <SelectorField
            label={`${sideName} service account selector`}
            path={[...base, "serviceAccounts", "selector"]}
            value={getIn(e, ["serviceAccounts", "selector"])}
            onChange={onChange}
            vocabulary={vocab?.serviceAccount ?? null}
            preview={previews["serviceAccounts.selector"]}
            issues={at(["serviceAccounts", "selector"])}
            placeholder="projectcalico.org/name == 'api'"
            testId={`${tid}-serviceAccounts`}
            emptyNote="Not set: any service account."
          />
          <IssueText issues={at(["serviceAccounts"])} base={pathKey([...base, "serviceAccounts"])} />
        </div>
      </details>
      <IssueText issues={at([])} base={pathKey(base)} />
    </div>
  );
}

export interface RuleCardProps {
  direction: Direction;
  index: number;
  count: number;
  ruleId: string;
  rule: unknown;
  /** Issues of this rule (its path and below). */
  issues: readonly Issue[];
  onMove: (direction: Direction, index: number, delta: -1 | 1) => void;
  onRemove: (direction: Direction, index: number) => void;
}

/** One ingress or egress rule: action, protocol, source and destination. */
export const RuleCard = memo(function RuleCard({ direction, index, count, ruleId, rule, issues, onMove, onRemove }: RuleCardProps) {
  const { onChange } = useEditorEnv();
  const r = isRecord(rule) ? rule : {};
  const base: Path = ["spec", direction, index];
  const name = `${direction === "ingress" ? "Ingress" : "Egress"} rule ${index + 1}`;
  const at = (p: Path, descendants = false) => issuesAt(issues, pathKey([...base, ...p]), descendants);
  const hasDomains = asArray(getIn(r, ["destination", "domains"])).length > 0;
  const extra = Object.keys(r).filter((k) => !RULE_KEYS.has(k));
  // The peer that matters most opens first: the destination of egress rules, the source of ingress rules.
  const sides: Side[] = direction === "egress" ? ["destination", "source"] : ["source", "destination"];
  const headingId = `${ruleId}-heading`;
  return (
    <li className="rounded-lg border border-slate-200 bg-white shadow-sm" data-rule-id={ruleId} data-testid={`${direction}-rule-${index}`} aria-labelledby={headingId}>
      <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-4 py-2">
        <h3 id={headingId} className="text-sm font-semibold text-slate-800">
          {name} <span className="font-normal text-slate-500">· {displayScalar(r.action) || "no action"}</span>
        </h3>
        <div className="flex gap-1">
          <Button variant="ghost" size="sm" data-move="up" aria-label={`Move ${name.toLowerCase()} up`} disabled={index === 0} onClick={() => onMove(direction, index, -1)}>
            Move up
          </Button>
          <Button variant="ghost" size="sm" data-move="down" aria-label={`Move ${name.toLowerCase()} down`} disabled={index === count - 1} onClick={() => onMove(direction, index, 1)}>
            Move down
          </Button>
          <Button variant="ghost" size="sm" className="text-red-700 hover:bg-red-50" aria-label={`Remove ${name.toLowerCase()}`} onClick={() => onRemove(direction, index)}>
            Remove
          </Button>
        </div>
      </header>
      <div className="flex flex-col gap-4 p-4">
        {extra.length > 0 && (
          <p className="text-xs text-slate-500">
            Also set (kept as is, edit in YAML): <code>{extra.join(", ")}</code>
          </p>
        )}
        <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
          <Select
            label="Action"
            path={[...base, "action"]}
            value={displayScalar(r.action)}
            issues={at(["action"])}
            onChange={(v) => onChange([...base, "action"], v || undefined)}
            hint={hasDomains ? "Rules with domains must Allow." : undefined}
            testId={`${direction}-${index}-action`}
          >
            {typeof r.action !== "string" || !(RULE_ACTIONS as readonly string[]).includes(r.action) ? <option value="">Choose…</option> : null}
            {RULE_ACTIONS.map((a) => (
              <option key={a} value={a} disabled={hasDomains && a !== "Allow"}>
                {a}
              </option>
            ))}
          </Select>
          <ProtocolField label="Protocol" path={[...base, "protocol"]} value={r.protocol} issues={at(["protocol"])} />
          <ProtocolField label="Not protocol" path={[...base, "notProtocol"]} value={r.notProtocol} issues={at(["notProtocol"])} />
          <Select
            label="IP version"
            path={[...base, "ipVersion"]}
            value={displayScalar(r.ipVersion)}
            issues={at(["ipVersion"])}
            onChange={(v) => onChange([...base, "ipVersion"], v === "" ? undefined : Number(v))}
          >
            <option value="">Both</option>
            <option value="4">IPv4</option>
            <option value="6">IPv6</option>
          </Select>
        </div>
        {sides.map((side, i) => {
          const entity = r[side];
          const set = isRecord(entity) && Object.keys(entity).length > 0;
          return (
            <details key={side} className="group rounded-md border border-slate-200" open={i === 0 || set || undefined} data-testid={`${direction}-${index}-${side}`}>
              <summary className="cursor-pointer rounded-t-md bg-slate-50 px-3 py-2 text-sm font-semibold text-slate-700">
                {side === "source" ? "Source" : "Destination"}
                {!set && <span className="ml-2 font-normal text-slate-500">any</span>}
              </summary>
              <div className="p-3">
                <EntityEditor direction={direction} index={index} side={side} entity={entity} action={r.action} ruleName={name} issues={issues} />
              </div>
            </details>
          );
        })}
        <IssueText issues={at([])} base={pathKey(base)} />
      </div>
    </li>
  );
});

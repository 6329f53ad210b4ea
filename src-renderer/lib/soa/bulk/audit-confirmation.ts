/**
 * Audit-log confirmation of a bulk run: instead of one audit query per object, a few `$filter`
 * queries on `activityDateTime` windows that cover the run find every SOA entry of the run's action
 * at once, and each entry is matched to its object by the entry's target id
 * (docs/reference/bulk-evidence-levels.md#audit-entries-in-bulk).
 *
 * Audit ingestion is eventually consistent (docs/reference/graph-and-identity.md#audit-latency): an
 * entry not found yet is "not yet visible", never a failure; the check can be run again, and objects
 * already matched are kept.
 */
import type { GraphResult } from '../../graph/graph-result';
import type { AuditWindowPage, SoaAuditEvent } from '../../graph/soa-graph';
import type { BulkAction } from './pipeline';

/** One object of the run and the span in which its write happened. */
export interface AuditObject {
  objectId: string;
  displayName?: string | undefined;
  /** the write happened at or after this instant (the run's start) */
  from: string;
  /** ... and at or before this one (when the object's result was recorded) */
  to: string;
}

export interface AuditWindow {
  from: string;
  to: string;
}

export type AuditConfirmation =
  | {
      status: 'found';
      eventId: string;
      activityDisplayName: string;
      activityDateTime: string;
      /** who made the change, as the entry says */
      initiatedBy: string | null;
    }
  | { status: 'notYetVisible'; checkedAt: string };

/** One window query as it went out, for the evidence. */
export interface AuditQueryRecord {
  window: AuditWindow;
  request: string;
  status: number | string;
  requestId: string | null;
  /** entries of the action in the window (for any object) */
  entries: number;
}

export interface AuditReadPort {
  /** every SOA audit event of `action` in the window (both spellings), for all objects */
  readWindow(q: {
    action: BulkAction;
    from: string;
    to: string;
    signal?: AbortSignal;
  }): Promise<GraphResult<AuditWindowPage>>;
}

export interface AuditCheckOptions {
  /** allowance for the difference between this machine's clock and the audit service's (default 2 min) */
  slackMs?: number;
  /** longest window of one query (default 15 min) */
  maxWindowMs?: number;
  /** confirmations of an earlier check: matched objects are kept, the rest are looked for again */
  earlier?: ReadonlyMap<string, AuditConfirmation>;
  now?: () => number;
  signal?: AbortSignal;
}

export interface AuditCheckResult {
  byObject: Map<string, AuditConfirmation>;
  queries: AuditQueryRecord[];
  /** the audit log could not be read (the objects keep their earlier confirmations or "not yet visible") */
  error?: { kind: string; message: string; fix?: string };
}

export const AUDIT_SLACK_MS = 2 * 60_000;
export const AUDIT_MAX_WINDOW_MS = 15 * 60_000;

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString();

/**
 * Windows that cover every object's span (widened by the slack on both sides), merged where they
 * overlap and cut into pieces of at most `maxWindowMs`.
 */
export function auditWindows(
  objects: readonly Pick<AuditObject, 'from' | 'to'>[],
  o: { slackMs?: number; maxWindowMs?: number } = {},
): AuditWindow[] {
  const slack = o.slackMs ?? AUDIT_SLACK_MS;
  const max = Math.max(1000, o.maxWindowMs ?? AUDIT_MAX_WINDOW_MS);
  const spans = objects
    .map((x) => [ms(x.from) - slack, Math.max(ms(x.from), ms(x.to)) + slack] as const)
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const out: AuditWindow[] = [];
  for (const [a, b] of merged)
    for (let start = a; start < b; start += max) out.push({ from: iso(start), to: iso(Math.min(b, start + max)) });
  return out;
}

const targets = (e: SoaAuditEvent, id: string): boolean =>
  (e.targetResources ?? []).some((t) => (t.id ?? '').toLowerCase() === id.toLowerCase());

/**
 * Match entries to objects: an entry confirms an object when it is of the run's action (either
 * spelling), names the object as a target, and falls in the object's span (widened by the slack).
 * The latest such entry is kept.
 */
export function matchAuditEntries(
  action: BulkAction,
  events: readonly SoaAuditEvent[],
  objects: readonly AuditObject[],
  slackMs = AUDIT_SLACK_MS,
): Map<string, Extract<AuditConfirmation, { status: 'found' }>> {
  const out = new Map<string, Extract<AuditConfirmation, { status: 'found' }>>();
  for (const x of objects) {
    const lo = ms(x.from) - slackMs;
    const hi = Math.max(ms(x.from), ms(x.to)) + slackMs;
    const hits = events.filter((e) => {
      const t = ms(e.activityDateTime);
      return e.action === action && targets(e, x.objectId) && t >= lo && t <= hi;
    });
    const e = hits.sort((a, b) => a.activityDateTime.localeCompare(b.activityDateTime)).at(-1);
    if (e)
      out.set(x.objectId, {
        status: 'found',
        eventId: e.id,
        activityDisplayName: e.activityDisplayName,
        activityDateTime: e.activityDateTime,
        initiatedBy: e.initiatedBy?.user?.userPrincipalName ?? e.initiatedBy?.app?.displayName ?? null,
      });
  }
  return out;
}

/**
 * Look for the audit entry of every object not matched yet, with one query per window (windows
 * cover only the spans of the objects still looked for).
 */
export async function confirmByAudit(
  port: AuditReadPort,
  action: BulkAction,
  objects: readonly AuditObject[],
  o: AuditCheckOptions = {},
): Promise<AuditCheckResult> {
  const slack = o.slackMs ?? AUDIT_SLACK_MS;
  const now = o.now ?? Date.now;
  const byObject = new Map<string, AuditConfirmation>();
  for (const x of objects) {
    const before = o.earlier?.get(x.objectId);
    if (before) byObject.set(x.objectId, before);
  }
  const wanted = objects.filter((x) => byObject.get(x.objectId)?.status !== 'found');
  const queries: AuditQueryRecord[] = [];
  const events: SoaAuditEvent[] = [];
  let error: AuditCheckResult['error'];
  for (const w of auditWindows(wanted, { slackMs: slack, ...(o.maxWindowMs ? { maxWindowMs: o.maxWindowMs } : {}) })) {
    if (o.signal?.aborted) break;
    const r = await port.readWindow({ action, from: w.from, to: w.to, ...(o.signal ? { signal: o.signal } : {}) });
    if (!r.ok) {
      queries.push({
        window: w,
        request: '',
        status: r.error.status || r.error.kind,
        requestId: r.requestId,
        entries: 0,
      });
      error = {
        kind: r.error.kind,
        message: r.error.message,
        ...('fix' in r.error ? { fix: r.error.fix } : {}),
      };
      break;
    }
    queries.push({
      window: w,
      request: r.value.request,
      status: r.status,
      requestId: r.requestId,
      entries: r.value.events.length,
    });
    events.push(...r.value.events);
  }
  const found = matchAuditEntries(action, events, wanted, slack);
  const checkedAt = iso(now());
  for (const x of wanted) {
    const hit = found.get(x.objectId);
    if (hit) byObject.set(x.objectId, hit);
    else if (!error || !byObject.has(x.objectId)) byObject.set(x.objectId, { status: 'notYetVisible', checkedAt });
  }
  return { byObject, queries, ...(error ? { error } : {}) };
}

/** The audit spans of a run's written or verified items: from the run's start to each item's result. */
export function auditObjectsOf(
  run: { startedAt: string; finishedAt: string },
  items: readonly {
    objectId: string;
    displayName?: string | undefined;
    outcome: string;
    written: boolean;
    writeStatus?: number | undefined;
    finishedAt?: string | undefined;
  }[],
): AuditObject[] {
  return items
    .filter((i) => i.written || i.writeStatus !== undefined || i.outcome === 'verified')
    .map((i) => ({
      objectId: i.objectId,
      ...(i.displayName !== undefined ? { displayName: i.displayName } : {}),
      from: i.finishedAt && i.finishedAt < run.startedAt ? i.finishedAt : run.startedAt,
      to: i.finishedAt ?? run.finishedAt,
    }));
}

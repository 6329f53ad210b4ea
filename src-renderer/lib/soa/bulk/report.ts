/** Plan and run reports: CSV exports and a printable HTML summary with per-object evidence. */
import type { Plan } from './plan';
import type { RunSummary } from './run-types';
import type { SweepResult } from './server-follow-up';
import { REPORT_CSP_META } from '../report-content-security-policy';
import { soaStateLabel } from '../state';
import { escapeHtml } from '../../html-escape';
import { toCsv } from '../../csv/csv-writer';
import { auditDetail, EVIDENCE_LEVEL_LABEL, type LevelSummary, type ObjectLevel } from './evidence-levels';

export function planCsv(plan: Plan): string {
  return toCsv(
    [
      'objectId',
      'objectType',
      'displayName',
      'mail',
      'isCloudManaged',
      'onPremisesSyncEnabled',
      'state',
      'action',
      'wave',
      'reason',
      'cloudReferences',
      'source',
    ],
    plan.entries.map((e) => [
      e.objectId,
      e.objectType,
      e.displayName,
      e.mail,
      e.isCloudManaged,
      e.onPremisesSyncEnabled,
      soaStateLabel(e.state, e.stateCertain),
      e.action,
      e.wave,
      e.reason,
      e.cloudReferences.map((r) => `${r.displayName ?? r.id} (${r.why})`).join('; '),
      e.source,
    ]),
  );
}

/** Each object's evidence level by id (from `summariseLevels`). */
function levelsById(levels: LevelSummary | undefined): Map<string, ObjectLevel> {
  return new Map((levels?.objects ?? []).map((o) => [o.objectId, o]));
}

export function runCsv(summary: RunSummary, levels?: LevelSummary): string {
  const lv = levelsById(levels);
  return toCsv(
    [
      'objectId',
      'objectType',
      'displayName',
      'action',
      'outcome',
      'before',
      'after',
      'written',
      'writeStatus',
      'requestId',
      'attempts',
      'fromJournal',
      'finishedAt',
      'reason',
      'opId',
      'evidenceLevel',
      'evidenceDetail',
      'auditEntry',
    ],
    summary.items.map((i) => [
      i.objectId,
      i.objectType,
      i.displayName,
      i.action,
      i.outcome,
      i.before,
      i.after,
      i.written,
      i.writeStatus,
      i.requestId,
      i.attempts,
      i.fromJournal,
      i.finishedAt,
      i.reason,
      i.opId,
      evidenceLabel(lv.get(i.objectId)),
      lv.get(i.objectId)?.detail,
      levels?.audit ? auditDetail(lv.get(i.objectId)?.audit) : undefined,
    ]),
  );
}

export function runHtml(
  summary: RunSummary,
  plan?: Plan,
  extra: { tenant?: string; journalPath?: string; levels?: LevelSummary; sweep?: SweepResult } = {},
): string {
  const p = summary.progress;
  const lv = levelsById(extra.levels);
  const rows = summary.items
    .map(
      (i) =>
        `<tr class="${escapeHtml(i.outcome)}"><td>${escapeHtml(i.displayName ?? '')}</td><td><code>${escapeHtml(i.objectId)}</code></td><td>${escapeHtml(i.action)}</td><td>${escapeHtml(i.outcome)}</td><td data-level="${escapeHtml(lv.get(i.objectId)?.level ?? 'unknown')}">${escapeHtml(evidenceLabel(lv.get(i.objectId)))}${lv.get(i.objectId) ? `<br><small>${escapeHtml(lv.get(i.objectId)?.detail ?? '')}</small>` : ''}${extra.levels?.audit ? `<br><small>Audit entry: ${escapeHtml(auditDetail(lv.get(i.objectId)?.audit))}</small>` : ''}</td><td>${fmt(i.before)} → ${fmt(i.after)}</td><td>${i.writeStatus ?? ''}</td><td><code>${escapeHtml(i.requestId ?? '')}</code></td><td>${escapeHtml(i.finishedAt ?? '')}</td><td>${escapeHtml(i.reason ?? '')}</td></tr>`,
    )
    .join('\n');
  const notRun = plan
    ? plan.entries
        .filter((e) => e.action !== 'transfer' && e.action !== 'rollback')
        .map(
          (e) =>
            `<tr class="not-run"><td>${escapeHtml(e.displayName ?? '')}</td><td><code>${escapeHtml(e.objectId)}</code></td><td>${escapeHtml(e.action)}</td><td>${escapeHtml(e.reason)}</td></tr>`,
        )
        .join('\n')
    : '';
  const overridden = plan
    ? plan.entries
        .filter((e) => e.override)
        .map(
          (e) =>
            `<li><code>${escapeHtml(e.objectId)}</code>: ${escapeHtml(e.override?.reason ?? '')} (journal ${escapeHtml(e.override?.opId ?? '')}, ${escapeHtml(e.override?.at ?? '')})</li>`,
        )
        .join('')
    : '';
  const planRows = plan
    ? Object.entries(plan.counts)
        .filter(([, n]) => n > 0)
        .map(([a, n]) => `<li>${escapeHtml(a)}: ${n}</li>`)
        .join('')
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>soa-pilot bulk run ${escapeHtml(summary.runId)}</title>
${REPORT_CSP_META}
<style>
body{font-family:"Segoe UI",system-ui,sans-serif;margin:24px;color:#242424}
table{border-collapse:collapse;width:100%;font-size:12px}th,td{border:1px solid #d1d1d1;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f5f5f5}tr.failed td,tr.unverified td{background:#fdf3f4}tr.cancelled td{background:#fff9f5}
.k{display:inline-block;margin-right:24px}.k b{font-size:20px;display:block}
@media print{body{margin:0}}
</style></head><body>
<h1>Bulk ${escapeHtml(plan?.kind ?? summary.items[0]?.action ?? 'run')} — run ${escapeHtml(summary.runId)}</h1>
<p>Started ${escapeHtml(summary.startedAt)}, finished ${escapeHtml(summary.finishedAt)}${summary.cancelled ? ' (cancelled)' : ''}.${extra.tenant ? ` Tenant ${escapeHtml(extra.tenant)}.` : ''}${extra.journalPath ? ` Journal: <code>${escapeHtml(extra.journalPath)}</code>.` : ''}</p>
<div>${[
    ['Objects', p.total],
    ['Verified', p.verified],
    ['Skipped', p.skipped],
    ['Failed', p.failed],
    ['Unverified', p.unverified],
    ['Writes sent', p.writesSent],
    ['Throttled', p.throttled],
    ['Retries', p.retries],
  ]
    .map(([k, v]) => `<span class="k"><b>${v}</b>${k}</span>`)
    .join('')}</div>
${extra.levels ? `<h2>Evidence level</h2><p data-testid="level-headline"><strong>${escapeHtml(extra.levels.headline)}</strong></p>` : ''}
${plan ? `<h2>Plan ${escapeHtml(plan.planId)}</h2><ul>${planRows}</ul>` : ''}
<h2>Per-object evidence</h2>
<p>Each transferred or rolled-back object was re-read just before the write, written with one PATCH of <code>onPremisesSyncBehavior</code>, and read back; "verified" means the read-back showed the target state. The evidence level is the highest claim observed for the object: written (PATCH acknowledged), verified in the cloud (read back), confirmed on the server (the Connect Sync trace: blockOnPremisesSync after a transfer, the takeover after a rollback; for an object synced by Cloud Sync, its provisioning-log entry: skipped because the SOA is in the cloud after a transfer, processed again after a rollback).</p>
<table><thead><tr><th>Name</th><th>Object id</th><th>Action</th><th>Outcome</th><th>Evidence level</th><th>isCloudManaged before → after</th><th>PATCH status</th><th>request-id</th><th>Finished</th><th>Notes</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${
  notRun
    ? `<h2>Not run (from the plan), and why</h2>
<table><thead><tr><th>Name</th><th>Object id</th><th>Plan action</th><th>Why</th></tr></thead>
<tbody>${notRun}</tbody></table>`
    : ''
}
${overridden ? `<h2>Overrides (journaled)</h2><ul>${overridden}</ul>` : ''}
${extra.sweep ? sweepHtml(extra.sweep) : ''}
</body></html>
`;
}

/** The Event 6956 sweep as observed: each object with its event, and the objects without one yet. */
function sweepHtml(sw: SweepResult): string {
  const rows = [
    ...sw.confirmed.map(
      (c) =>
        `<tr><td><code>${escapeHtml(c.objectId)}</code></td><td>${escapeHtml(c.dn)}</td><td>Event 6956 (record ${c.recordId}, ${escapeHtml(c.time)})</td></tr>`,
    ),
    ...sw.notSeen.map(
      (n) =>
        `<tr><td><code>${escapeHtml(n.objectId)}</code></td><td>${escapeHtml(n.dn)}</td><td>No Event 6956 yet (no AD change refused so far)</td></tr>`,
    ),
  ].join('\n');
  return `<h2>Event 6956 sweep</h2>
<p data-testid="report-sweep">Application log${sw.provider ? ` (source ${escapeHtml(sw.provider)})` : ''} since ${escapeHtml(sw.since)}: ${sw.confirmed.length} object(s) confirmed blocked by an Event 6956, ${sw.notSeen.length} without one yet${sw.otherEvents ? `, ${sw.otherEvents} event(s) for objects outside this run (not counted)` : ''}. An event appears only after an AD change that the sync engine refused to export.</p>
<table><thead><tr><th>Object id</th><th>AD DN</th><th>Observed</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function evidenceLabel(o: ObjectLevel | undefined): string {
  return o ? EVIDENCE_LEVEL_LABEL[o.level] : 'Not assessed';
}

function fmt(v: boolean | undefined): string {
  return v === undefined ? '?' : String(v);
}

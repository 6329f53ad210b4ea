/**
 * Bulk rollback sources: a finished run's journal (every object that run transferred and verified)
 * or a selection. Either way the objects then go through `buildPlan({ kind: 'rollback' })`, which
 * does the per-object cloud-reference checks (memberOf) and, for groups, the cloud-member check
 * and the parents-first order.
 */
import type { StoredJournalRecord } from '@contract';
import type { SelectedObject } from './selection';

/** Objects a run transferred and verified, in journal order (one per object). */
export function transferredByRun(records: StoredJournalRecord[], runId: string): SelectedObject[] {
  const intents = new Map<string, StoredJournalRecord & { kind: 'intent' }>();
  const out: SelectedObject[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    if (r.kind === 'intent') {
      if (r.runId === runId && r.action === 'transfer') intents.set(r.opId, r);
      continue;
    }
    if (r.kind !== 'result') continue;
    const intent = intents.get(r.opId);
    if (!intent || r.outcome !== 'done' || seen.has(intent.objectId)) continue;
    seen.add(intent.objectId);
    out.push({
      id: intent.objectId,
      objectType: intent.objectType,
      displayName: intent.displayName ?? null,
      mail: null,
      source: `journal run ${runId}`,
    });
  }
  return out;
}

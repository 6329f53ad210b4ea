/**
 * Re-verification of unfinished operations after a restart (`docs/architecture.md#one-transfer-through-the-code`): for each journaled
 * SOA intent without a result, read the object's current state and record the final result: done
 * (verified) when it shows the intended value, failed ("not applied") when it does not. Nothing is
 * written to Graph. Intents of other actions are reported as not re-verifiable here.
 */
import type { JournalRecordInput, StoredJournalRecord } from '@contract';
import type { Clock, GraphBatchPort, JournalPort } from './ports';
import { readMany } from './batch-reads';
import { parseIsCloudManaged } from './graph-bodies';
import { scopesFor, syncBehaviorUrl } from './object-types';

export interface PendingIntent {
  opId: string;
  intent: StoredJournalRecord;
}

export interface ReverifyOutcome {
  opId: string;
  objectId: string;
  result: 'done' | 'failed' | 'unreadable' | 'unsupported';
  observed?: boolean;
  reason: string;
}

export async function reverifyPending(
  pending: PendingIntent[],
  ports: { graph: GraphBatchPort; journal: JournalPort; clock?: Clock },
): Promise<ReverifyOutcome[]> {
  const soa = pending.flatMap((p) =>
    p.intent.kind === 'intent' && (p.intent.action === 'transfer' || p.intent.action === 'rollback')
      ? [{ p, intent: p.intent }]
      : [],
  );
  const outcomes: ReverifyOutcome[] = pending
    .filter((p) => !soa.some((s) => s.p.opId === p.opId))
    .map((p) => ({
      opId: p.opId,
      objectId: p.intent.kind === 'intent' ? p.intent.objectId : '',
      result: 'unsupported' as const,
      reason: 'Only SOA transfers and rollbacks are re-verified here.',
    }));
  const scopes = [...new Set(soa.flatMap((s) => scopesFor(s.intent.objectType)))];
  const reads = await readMany(
    ports.graph,
    soa.map((s) => ({ key: s.p.opId, url: syncBehaviorUrl(s.intent.objectType, s.intent.objectId) })),
    { scopes, ...(ports.clock ? { clock: ports.clock } : {}) },
  );
  const records: JournalRecordInput[] = [];
  for (const { p, intent } of soa) {
    const target = intent.action === 'transfer';
    const r = reads.get(p.opId);
    const observed = r?.status === 200 ? parseIsCloudManaged(r.body) : undefined;
    if (observed === undefined) {
      outcomes.push({
        opId: p.opId,
        objectId: intent.objectId,
        result: 'unreadable',
        reason: `Could not read the state (HTTP ${r?.status ?? 0}); still unfinished.`,
      });
      continue;
    }
    const done = observed === target;
    const reason = done
      ? 'Re-verified after a restart: the intended state is in place.'
      : 'Re-verified after a restart: the write was not applied.';
    records.push({
      kind: 'result',
      opId: p.opId,
      outcome: done ? 'done' : 'failed',
      verified: done,
      after: { isCloudManaged: observed },
      reason,
    });
    outcomes.push({ opId: p.opId, objectId: intent.objectId, result: done ? 'done' : 'failed', observed, reason });
  }
  if (records.length > 0) await ports.journal.append(records);
  return outcomes;
}

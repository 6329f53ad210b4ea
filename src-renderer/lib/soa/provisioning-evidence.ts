/**
 * The Cloud Sync evidence of a run, gathered from its steps' requests for the report: the provisioning-log entries
 * seen for the object and the provisionOnDemand answers. It says plainly when there is no log entry (the log could not
 * be read, or held none for the object) — the report never claims more than the steps observed.
 * The request shapes are those `cloud-sync-proof.ts` records (docs/architecture.md#cloud-sync-in-the-wizard-and-in-bulk).
 */
import { z } from 'zod';
import type { ProvisioningEvidence, ProvisioningLogEntryEvidence, StepEvidence } from './evidence';

const logResponse = z.object({
  entries: z.number(),
  forThisObject: z.array(
    z.object({
      id: z.string(),
      activityDateTime: z.string().nullable().optional(),
      status: z.string().nullable().optional(),
      reason: z.string().nullable().optional(),
    }),
  ),
});
const errorResponse = z.object({ error: z.string(), message: z.string().optional() });
const onDemandResponse = z.object({
  result: z.string().nullable().optional(),
  details: z.object({ errorMessage: z.string().nullable().optional() }).passthrough().nullable().optional(),
});

const isLogRead = (label: string): boolean => label.includes('/auditLogs/provisioning');
const isOnDemand = (label: string): boolean => label.includes('/provisionOnDemand');

/** Null when no step asked Cloud Sync anything (a Connect Sync run). */
export function provisioningEvidence(steps: readonly StepEvidence[]): ProvisioningEvidence | null {
  const byId = new Map<string, ProvisioningLogEntryEvidence>();
  const onDemand: ProvisioningEvidence['onDemand'] = [];
  const logErrors: string[] = [];
  let logReads = 0;
  for (const s of steps) {
    for (const r of s.requests) {
      if (isLogRead(r.label)) {
        logReads++;
        const ok = logResponse.safeParse(r.response);
        if (ok.success) {
          for (const e of ok.data.forThisObject) {
            byId.set(e.id, {
              step: s.id,
              id: e.id,
              activityDateTime: e.activityDateTime ?? null,
              status: e.status ?? null,
              reason: e.reason ?? null,
            });
          }
        } else {
          const err = errorResponse.safeParse(r.response);
          logErrors.push(
            err.success
              ? `${String(r.status ?? '')} ${err.data.error}${err.data.message ? `: ${err.data.message}` : ''}`.trim()
              : `status ${String(r.status ?? 'unknown')}`,
          );
        }
      } else if (isOnDemand(r.label)) {
        const ok = onDemandResponse.safeParse(r.response);
        onDemand.push({
          step: s.id,
          result: ok.success ? (ok.data.result ?? null) : `error (status ${String(r.status ?? 'unknown')})`,
          reason: ok.success ? (ok.data.details?.errorMessage ?? null) : null,
        });
      }
    }
  }
  if (logReads === 0 && onDemand.length === 0) return null;
  const entries = [...byId.values()].sort((a, b) => (a.activityDateTime ?? '').localeCompare(b.activityDateTime ?? ''));
  const pod =
    onDemand.length > 0
      ? ` provisionOnDemand answered: ${onDemand.map((o) => `${o.result ?? 'no result'}${o.reason ? ` ("${o.reason}")` : ''} in step ${o.step}`).join('; ')}.`
      : '';
  let statement: string;
  if (entries.length > 0) {
    statement =
      `${entries.length} provisioning-log entr${entries.length === 1 ? 'y' : 'ies'} for this object: ` +
      entries
        .map(
          (e) =>
            `${e.id} at ${e.activityDateTime ?? '?'}: ${e.status ?? 'no status'}${e.reason ? ` ("${e.reason}")` : ''}`,
        )
        .join('; ') +
      '.' +
      (logErrors.length > 0 ? ` ${logErrors.length} read(s) of the log failed: ${logErrors.join('; ')}.` : '') +
      pod;
  } else if (logErrors.length > 0) {
    statement = `No provisioning-log evidence: the log could not be read (${[...new Set(logErrors)].join('; ')}).${pod || ' No other Cloud Sync answer was recorded.'}`;
  } else if (logReads > 0) {
    statement = `No provisioning-log entry for this object was seen in ${logReads} read(s) of the log.${pod}`;
  } else {
    statement = `The provisioning log was not read.${pod}`;
  }
  return { entries, onDemand, logReads, logErrors, statement };
}

/** Schemas of `journal.*` and `report.*` in the IPC contract (src-main/ipc/contract.ts). */
import { z } from 'zod';
import { isoDate } from './shared';

export const journalObjectType = z.enum(['contact', 'user', 'group']);

/** Most records one `journal.appendMany` call carries (a bulk batch's intents or results fit many times). */
export const JOURNAL_APPEND_MANY_MAX = 500;

/** One journal record. `intent` is written (and fsynced) before the Graph request is sent. */
export const journalRecord = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('intent'),
    opId: z.string().min(1).max(100),
    runId: z.string().max(100).optional(),
    objectType: journalObjectType,
    objectId: z.string().min(1).max(100),
    displayName: z.string().max(512).optional(),
    /** `planOverride`: the admin overrode a bulk plan's "could not check" block (journaled with its result, never pending) */
    action: z.enum(['transfer', 'rollback', 'displayName', 'adTouch', 'adRestore', 'auAdd', 'planOverride']),
    /** The account that sent the write when it is not the signed-in admin (another admin's proof sign-in). */
    actor: z.string().max(256).optional(),
    before: z.unknown().optional(),
    request: z.object({ method: z.string(), url: z.string(), body: z.unknown().optional() }),
  }),
  z.object({
    kind: z.literal('result'),
    opId: z.string().min(1).max(100),
    outcome: z.enum(['done', 'failed', 'unknown']),
    verified: z.boolean(),
    requestId: z.string().optional(),
    status: z.number().optional(),
    after: z.unknown().optional(),
    reason: z.string().max(2000).optional(),
  }),
  /**
   * What a run observed after its writes (a bulk run's final results, a follow-up cycle on the server,
   * an audit-log check, an Event 6956 sweep), so a reload or restart shows the same evidence. Never an intent: never pending.
   */
  z.object({
    kind: z.literal('observation'),
    opId: z.string().min(1).max(100),
    runId: z.string().min(1).max(100),
    topic: z.enum(['bulkRunEnd', 'bulkServerCycle', 'bulkFollowUpEnd', 'bulkAudit', 'bulkSweep6956']),
    /** the observation; its shape per topic is parsed where it is read (src-renderer/lib/soa/bulk/run-journal.ts) */
    data: z.unknown(),
  }),
]);
export type JournalRecordInput = z.infer<typeof journalRecord>;
export const storedJournalRecord = z.intersection(
  journalRecord,
  z.object({ seq: z.number().int(), at: isoDate, tenant: z.string() }),
);
export type StoredJournalRecord = z.infer<typeof storedJournalRecord>;

export const pendingOperation = z.object({
  opId: z.string(),
  intent: storedJournalRecord,
});

export const reportFormat = z.enum(['html', 'json', 'csv']);

/** A saved report file's name as `report.save` returned it (`<name>.<format>`, no folders). */
export const reportFileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,119}\.(html|json|csv)$/);

/** A report name as `report.save` and `report.saveBegin` take it (the extension is added from the format). */
export const reportName = z.string().regex(/^[A-Za-z0-9._-]{1,120}$/);

/** Most characters one report, saved in one call or in parts, may hold (a bulk run's CSV or HTML, a 50,000-entry plan). */
export const REPORT_MAX_CHARS = 50_000_000;

/**
 * Most characters one `report.savePart` carries: 1 MiB of text stays under the part's 8 MiB body limit even when
 * every character needs a six-byte JSON escape.
 */
export const REPORT_PART_MAX_CHARS = 1_048_576;

/** An upload of a report in parts, as `report.saveBegin` named it. */
export const reportUploadId = z.string().uuid();

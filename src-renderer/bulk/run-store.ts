/**
 * What the renderer remembers about bulk runs so a run can be resumed after a reload or a crash:
 * per run id, the exact plan text that was saved (the file `bulk-<runId>-plan.json` in the reports
 * folder holds the same text) and whether the run finished. The journal in main stays the truth for
 * what was written; this only keeps the plan, which the journal does not hold.
 */
import { z } from 'zod';
import type { StoredJournalRecord } from '@contract';
import { parsePlanFile, type BulkObjectType, type Plan, type SavedSelection } from '../lib/soa/bulk';
import type { Problem } from './bulk-labels';

const INDEX_KEY = 'soa-pilot.bulk.runs';
const PLAN_KEY = (runId: string): string => `soa-pilot.bulk.plan.${runId}`;

const runRecord = z.object({
  runId: z.string(),
  kind: z.enum(['transfer', 'rollback']),
  objectType: z.enum(['contact', 'user', 'group']),
  planned: z.number().int(),
  startedAt: z.string(),
  /** `dismissed`: the admin chose not to resume (uncertain intents are still offered) */
  status: z.enum(['running', 'finished', 'cancelled', 'dismissed']),
  planFile: z.string().optional(),
  /** after the run: whether every object's server confirmation was observed (`pending` offers "check pending objects") */
  followUp: z.enum(['pending', 'complete']).optional(),
});
export type RunRecord = z.infer<typeof runRecord>;

/** The part of `localStorage` this store uses (absent outside a browser, e.g. in unit tests). */
interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function storage(): KeyValueStore | undefined {
  try {
    return (globalThis as { localStorage?: KeyValueStore }).localStorage;
  } catch {
    return undefined;
  }
}

export function listRuns(): RunRecord[] {
  const raw = storage()?.getItem(INDEX_KEY);
  if (!raw) return [];
  try {
    const parsed = z.array(runRecord).safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/**
 * The longest plan text `localStorage` can hold: Chromium allows 10 MiB per origin, counting 2 bytes per character
 * (measured: 5,200,000 characters are stored, 6,000,000 throw QuotaExceededError; docs/reference/tenant-scale.md).
 * A longer plan (about 10,000 objects and up) is resumed from its plan file in the reports folder.
 */
export const PLAN_STORE_MAX_CHARS = 5 * 1024 * 1024;

export function putRun(record: RunRecord, planText?: string): void {
  const s = storage();
  if (!s) return;
  const runs = listRuns().filter((r) => r.runId !== record.runId);
  runs.unshift(record);
  s.setItem(INDEX_KEY, JSON.stringify(runs.slice(0, 50)));
  // a plan text over the quota is not even tried: the attempt copies tens of megabytes only to throw
  if (planText !== undefined && planText.length <= PLAN_STORE_MAX_CHARS) {
    try {
      s.setItem(PLAN_KEY(record.runId), planText);
    } catch {
      // quota: the plan file in the reports folder still holds it (load it to resume)
    }
  }
}

export function setRunStatus(runId: string, status: RunRecord['status']): void {
  const r = listRuns().find((x) => x.runId === runId);
  if (r) putRun({ ...r, status });
}

/** Record whether a finished run still has objects whose server confirmation was not observed. */
export function setRunFollowUp(runId: string, complete: boolean): void {
  const r = listRuns().find((x) => x.runId === runId);
  if (r) putRun({ ...r, followUp: complete ? 'complete' : 'pending' });
}

/** Finished runs with objects still pending on the server (newest first), offered for "check pending objects". */
export function followUpCandidates(exceptRunId?: string): RunRecord[] {
  return listRuns().filter((r) => r.status === 'finished' && r.followUp === 'pending' && r.runId !== exceptRunId);
}

const SHOWN_KEY = 'soa-pilot.bulk.shown';

/** The run whose summary is on screen (restored from the journal after a reload), or none. */
export function shownRun(): string | undefined {
  return storage()?.getItem(SHOWN_KEY) || undefined;
}

export function setShownRun(runId: string | undefined): void {
  storage()?.setItem(SHOWN_KEY, runId ?? '');
}

export function storedPlan(runId: string): string | undefined {
  return storage()?.getItem(PLAN_KEY(runId)) ?? undefined;
}

export function newRunId(kind: 'transfer' | 'rollback', now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const rand = crypto.randomUUID().slice(0, 6);
  return `bulk-${kind === 'transfer' ? 't' : 'r'}-${stamp}-${rand}`;
}

/** Runs in the journal: every run id with SOA intents, with how many intents and results it has. */
export interface JournalRun {
  runId: string;
  action: 'transfer' | 'rollback';
  objectType: BulkObjectType;
  intents: number;
  results: number;
  done: number;
  firstAt: string;
  lastAt: string;
}

/** The bulk runs in the journal, folded page by page (`add`) so the whole journal is never held at once. */
export class JournalRunTally {
  private readonly byOp = new Map<string, string>();
  private readonly tally = new Map<string, JournalRun>();

  add(records: readonly StoredJournalRecord[]): this {
    for (const r of records) {
      if (r.kind === 'intent') {
        if (!r.runId || (r.action !== 'transfer' && r.action !== 'rollback')) continue;
        this.byOp.set(r.opId, r.runId);
        const run = this.tally.get(r.runId) ?? {
          runId: r.runId,
          action: r.action,
          objectType: r.objectType,
          intents: 0,
          results: 0,
          done: 0,
          firstAt: r.at,
          lastAt: r.at,
        };
        run.intents++;
        run.lastAt = r.at;
        this.tally.set(r.runId, run);
        continue;
      }
      if (r.kind !== 'result') continue;
      const runId = this.byOp.get(r.opId);
      const run = runId ? this.tally.get(runId) : undefined;
      if (!run) continue;
      run.results++;
      if (r.outcome === 'done') run.done++;
      run.lastAt = r.at;
    }
    return this;
  }

  /** The runs, the most recently active first. */
  runs(): JournalRun[] {
    return [...this.tally.values()].sort((a, b) => b.lastAt.localeCompare(a.lastAt));
  }
}

const savedSelectionSchema = z.object({
  version: z.literal(1),
  objectType: z.enum(['contact', 'user', 'group']),
  createdAt: z.string(),
  description: z.string(),
  ids: z.array(z.string().min(1).max(100)).min(1).max(100_000),
});

/** Parse a saved selection file (written by "Save selection"); throws with a readable message. */
export function parseSavedSelection(text: string): SavedSelection {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('The file is not JSON. Choose a selection file saved by soa-pilot (selection-….json).');
  }
  const r = savedSelectionSchema.safeParse(json);
  if (!r.success)
    throw new Error(
      'The file is not a soa-pilot selection (version, objectType, ids). Choose a selection-….json file.',
    );
  return r.data;
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** `20261127T123456` for file names. */
export function stamp(): string {
  return nowIso().replace(/[-:]/g, '').replace(/\..*$/, '');
}

/** Unfinished intents per bulk run id (from `journal.pending`). */
export function pendingByRun(pending: { intent: StoredJournalRecord }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of pending)
    if (x.intent.kind === 'intent' && x.intent.runId?.startsWith('bulk-'))
      out.set(x.intent.runId, (out.get(x.intent.runId) ?? 0) + 1);
  return out;
}

export interface ResumeCandidate {
  runId: string;
  /** journaled intents without a result */
  pending: number;
  /** the plan text is remembered in this profile */
  hasPlan: boolean;
  kind?: 'transfer' | 'rollback';
  objectType?: BulkObjectType;
}

/** Runs to offer for resume: unfinished runs remembered here, and any bulk run with uncertain intents. */
export function resumeCandidates(pending: { intent: StoredJournalRecord }[], runningRunId?: string): ResumeCandidate[] {
  const byRun = pendingByRun(pending);
  const runs = listRuns();
  const ids = new Set<string>([
    ...byRun.keys(),
    ...runs.filter((r) => r.status === 'running' || r.status === 'cancelled').map((r) => r.runId),
  ]);
  if (runningRunId) ids.delete(runningRunId);
  return [...ids].map((runId) => {
    const rec = runs.find((r) => r.runId === runId);
    return {
      runId,
      pending: byRun.get(runId) ?? 0,
      hasPlan: storedPlan(runId) !== undefined,
      ...(rec ? { kind: rec.kind, objectType: rec.objectType } : {}),
    };
  });
}

/**
 * Remember that a run starts (or resumes) with exactly this plan text (`planParts`, concatenated; stored only when
 * `localStorage` can hold it, and a longer plan is not even joined into one string). A resumed run keeps its first
 * start time and plan file; returns the plan file on record (or `planFile`).
 */
export function rememberRunStart(
  runId: string,
  plan: Plan,
  planParts: readonly string[],
  planFile?: string,
): string | undefined {
  const rec = listRuns().find((r) => r.runId === runId);
  const file = planFile ?? rec?.planFile;
  putRun(
    {
      runId,
      kind: plan.kind,
      objectType: plan.objectType,
      planned: plan.counts[plan.kind],
      startedAt: rec?.startedAt ?? nowIso(),
      status: 'running',
      ...(file ? { planFile: file } : {}),
    },
    planParts.reduce((n, p) => n + p.length, 0) <= PLAN_STORE_MAX_CHARS ? planParts.join('') : undefined,
  );
  return file;
}

/** The plan a run resumes with: the text remembered for it, or the text of a plan file the admin picked. */
export function planOfRun(runId: string, fileText?: string): { plan: Plan; text: string } | { problem: Problem } {
  const text = fileText ?? storedPlan(runId);
  if (!text) {
    return {
      problem: {
        title: `The plan of run ${runId} is not in this browser profile.`,
        message: 'The run can only finish exactly its plan.',
        fix: `Choose its plan file (bulk-plan-….json in the reports folder) with "Load plan file", or re-verify the unfinished objects only.`,
      },
    };
  }
  try {
    return { plan: parsePlanFile(text), text };
  } catch {
    return {
      problem: {
        title: 'That file is not a soa-pilot plan.',
        message: 'It did not parse as a saved bulk plan.',
        fix: 'Choose the bulk-plan-….json file saved when the run started.',
      },
    };
  }
}

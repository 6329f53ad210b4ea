/**
 * A bulk run's evidence in the journal, so a reload or restart shows exactly what was shown before it:
 * the run's final results, each follow-up cycle's server observations, the follow-up's outcome, each
 * Event 6956 sweep and each audit-log check are journaled as `observation` records of the run (after the observation, never before:
 * a record states only what was seen). `restoreRunEvidence` rebuilds the summary and the evidence from
 * a run's records; nothing is inferred that no record holds (docs/reference/bulk-evidence-levels.md#journaled-evidence).
 */
import { z } from 'zod';
import type { JournalRecordInput, StoredJournalRecord } from '@contract';
import type { RunSummary } from './run-types';
import type { ServerObservation } from './evidence-levels';
import type { AuditConfirmation, AuditQueryRecord } from './audit-confirmation';
import type { SweepResult } from './server-follow-up';
import type { JournalPort } from './ports';
import { TimeSlicer } from './time-slice';

const objectType = z.enum(['contact', 'user', 'group']);
const action = z.enum(['transfer', 'rollback']);

const itemResult = z.object({
  opId: z.string(),
  objectId: z.string(),
  objectType,
  displayName: z.string().optional(),
  action,
  outcome: z.enum(['verified', 'skipped', 'failed', 'unverified', 'cancelled']),
  before: z.boolean().optional(),
  after: z.boolean().optional(),
  written: z.boolean(),
  fromJournal: z.boolean(),
  writeStatus: z.number().optional(),
  requestId: z.string().optional(),
  attempts: z.number(),
  reason: z.string().optional(),
  finishedAt: z.string().optional(),
});

const runProgress = z.object({
  runId: z.string(),
  total: z.number(),
  done: z.number(),
  verified: z.number(),
  skipped: z.number(),
  failed: z.number(),
  unverified: z.number(),
  remaining: z.number(),
  writesSent: z.number(),
  throttled: z.number(),
  retries: z.number(),
  ratePerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  concurrency: z.number(),
  writeRate: z.number(),
  state: z.enum(['running', 'paused', 'cancelling', 'finished', 'cancelled']),
  pausedFor: z.object({ kind: z.literal('signIn'), message: z.string() }).optional(),
});

/** Records of one logical observation: `part` of `parts` (a large run is split to keep each record small). */
const parted = { group: z.string(), part: z.number().int().min(0), parts: z.number().int().min(1) };

const runEndData = z.object({
  ...parted,
  startedAt: z.string(),
  finishedAt: z.string(),
  cancelled: z.boolean(),
  /** in part 0 only */
  progress: runProgress.optional(),
  items: z.array(itemResult),
});

const serverObservation = z.object({
  objectId: z.string(),
  confirmed: z.boolean(),
  awaitingExportConfirmation: z.boolean().nullable(),
  detail: z.string(),
  cycle: z.number(),
  observedAt: z.string(),
  engine: z.enum(['connectSync', 'cloudSync', 'none']).optional(),
});

const serverCycleData = z.object({
  ...parted,
  at: z.string(),
  /** objects the server had not confirmed after this cycle, and the run's headline then (the cycle log) */
  pending: z.number().int().min(0),
  headline: z.string(),
  observations: z.array(serverObservation),
});

const followUpEndData = z.object({
  at: z.string(),
  message: z.string(),
  missing: z.array(z.object({ objectId: z.string(), reason: z.string() })),
  /** observations made after the last cycle's record (a follow-up stopped in the middle of a cycle) */
  observations: z.array(serverObservation).optional(),
});

/** One object of an Event 6956 sweep: confirmed by an event (its time and record id), or not seen yet. */
const sweepEntry = z.discriminatedUnion('seen', [
  z.object({ seen: z.literal(true), objectId: z.string(), dn: z.string(), time: z.string(), recordId: z.number() }),
  z.object({ seen: z.literal(false), objectId: z.string(), dn: z.string() }),
]);

const sweepData = z.object({
  ...parted,
  at: z.string(),
  since: z.string(),
  provider: z.string().nullable(),
  otherEvents: z.number().int().min(0),
  entries: z.array(sweepEntry),
});

const auditConfirmation = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('found'),
    eventId: z.string(),
    activityDisplayName: z.string(),
    activityDateTime: z.string(),
    initiatedBy: z.string().nullable(),
  }),
  z.object({ status: z.literal('notYetVisible'), checkedAt: z.string() }),
]);

const auditQuery = z.object({
  window: z.object({ from: z.string(), to: z.string() }),
  request: z.string(),
  status: z.union([z.number(), z.string()]),
  requestId: z.string().nullable(),
  entries: z.number(),
});

const auditData = z.object({
  ...parted,
  at: z.string(),
  /** in part 0 only */
  queries: z.array(auditQuery).optional(),
  problem: z.string().optional(),
  confirmations: z.array(z.object({ objectId: z.string(), confirmation: auditConfirmation })),
});

export interface FollowUpCycleLine {
  cycle: number;
  pending: number;
  headline: string;
  at: string;
}

/** What a run's records hold: each part is present only when a record held it. */
export interface RestoredRunEvidence {
  runId: string;
  /** the run's final results (the latest complete run-end record set), or undefined when none was journaled */
  summary?: RunSummary;
  serverObservations: Map<string, ServerObservation>;
  followUpCycles: FollowUpCycleLine[];
  syncOutcome?: string;
  dnMissing: { objectId: string; reason: string }[];
  auditChecked: boolean;
  auditConfirmations: Map<string, AuditConfirmation>;
  auditQueries: AuditQueryRecord[];
  auditProblem?: string;
  /** the latest Event 6956 sweep whose every record is in the journal */
  sweep?: SweepResult;
  /** observation records whose data did not parse (skipped; counted so the view can say so) */
  unreadable: number;
}

/** About 256 KiB of JSON per record: far below the journal's 1 MiB line limit whatever a reason holds. */
const PART_BYTES = 256 * 1024;

/**
 * Records per `journal.appendMany` call when a large observation is journaled (`appendInCalls`): about 1 MiB per
 * call at `PART_BYTES` per record, so no single bridge call carries (and serialises) tens of megabytes.
 */
export const RECORDS_PER_CALL = 4;

/** Slices of items whose JSON stays under `maxBytes` each, built one item at a time. */
class PartsBySize<T> {
  readonly parts: T[][] = [];
  private cur: T[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  add(it: T): void {
    const n = JSON.stringify(it).length + 1;
    if (this.cur.length > 0 && this.bytes + n > this.maxBytes) {
      this.parts.push(this.cur);
      this.cur = [];
      this.bytes = 0;
    }
    this.cur.push(it);
    this.bytes += n;
  }

  done(): T[][] {
    if (this.cur.length > 0 || this.parts.length === 0) this.parts.push(this.cur);
    return this.parts;
  }
}

/** Slices of `items` whose JSON stays under `maxBytes` each (at least one item per slice; always ≥ 1 slice). */
export function partsBySize<T>(items: readonly T[], maxBytes = PART_BYTES): T[][] {
  const parts = new PartsBySize<T>(maxBytes);
  for (const it of items) parts.add(it);
  return parts.done();
}

/** `partsBySize` in time slices (every item is serialised to measure it: tens of thousands are a long task). */
export async function partsBySizeInSlices<T>(
  items: readonly T[],
  maxBytes = PART_BYTES,
  slicer: TimeSlicer = new TimeSlicer(),
): Promise<T[][]> {
  const parts = new PartsBySize<T>(maxBytes);
  for (const it of items) {
    parts.add(it);
    if (slicer.due()) await slicer.yieldNow();
  }
  return parts.done();
}

/**
 * Append `records` in order, `perCall` records per call. A group of parted records split over calls is safe: a
 * reader takes a group only when every part of it is in the journal.
 */
export async function appendInCalls(
  journal: Pick<JournalPort, 'append'>,
  records: readonly JournalRecordInput[],
  perCall = RECORDS_PER_CALL,
): Promise<void> {
  for (let i = 0; i < records.length; i += perCall) await journal.append(records.slice(i, i + perCall));
}

type Topic = Extract<JournalRecordInput, { kind: 'observation' }>['topic'];

function record(runId: string, topic: Topic, group: string, part: number, data: object): JournalRecordInput {
  return { kind: 'observation', opId: `${runId}/${topic}/${group}/${part}`.slice(0, 100), runId, topic, data };
}

/** A short id for one observation's records (unique per run). */
export function observationGroup(): string {
  return crypto.randomUUID().slice(0, 8);
}

/**
 * The records of a run's final results (after `runBulk` resolved; a resumed run journals them again), made in time
 * slices: a run of 50,000 objects serialises every item to split them.
 */
export async function runEndRecords(
  summary: RunSummary,
  group = observationGroup(),
  slicer: TimeSlicer = new TimeSlicer(),
): Promise<JournalRecordInput[]> {
  const parts = await partsBySizeInSlices(summary.items, PART_BYTES, slicer);
  return parts.map((items, part) =>
    record(summary.runId, 'bulkRunEnd', group, part, {
      group,
      part,
      parts: parts.length,
      startedAt: summary.startedAt,
      finishedAt: summary.finishedAt,
      cancelled: summary.cancelled,
      ...(part === 0 ? { progress: summary.progress } : {}),
      items,
    }),
  );
}

/** The records of one follow-up cycle: the objects observed in it, the pending count and the headline after it. */
export function serverCycleRecords(
  runId: string,
  cycle: { at: string; pending: number; headline: string; observations: readonly ServerObservation[] },
  group = observationGroup(),
): JournalRecordInput[] {
  const parts = partsBySize(cycle.observations);
  return parts.map((observations, part) =>
    record(runId, 'bulkServerCycle', group, part, {
      group,
      part,
      parts: parts.length,
      at: cycle.at,
      pending: cycle.pending,
      headline: cycle.headline,
      observations,
    }),
  );
}

/**
 * The record of a follow-up's end: its outcome in words, the objects it could not find in AD, and what it
 * observed after the last cycle's record (when it stopped in the middle of a cycle).
 */
export function followUpEndRecord(
  runId: string,
  end: {
    at: string;
    message: string;
    missing: readonly { objectId: string; reason: string }[];
    observations?: readonly ServerObservation[];
  },
  group = observationGroup(),
): JournalRecordInput {
  return record(runId, 'bulkFollowUpEnd', group, 0, {
    at: end.at,
    message: end.message,
    missing: end.missing,
    ...(end.observations && end.observations.length > 0 ? { observations: end.observations } : {}),
  });
}

/** The records of one Event 6956 sweep (after it was read): each object confirmed by an event or not seen yet. */
export function sweepRecords(
  runId: string,
  sweep: SweepResult,
  at: string,
  group = observationGroup(),
): JournalRecordInput[] {
  const entries: z.infer<typeof sweepEntry>[] = [
    ...sweep.confirmed.map((c) => ({ seen: true as const, ...c })),
    ...sweep.notSeen.map((n) => ({ seen: false as const, ...n })),
  ];
  const parts = partsBySize(entries);
  return parts.map((slice, part) =>
    record(runId, 'bulkSweep6956', group, part, {
      group,
      part,
      parts: parts.length,
      at,
      since: sweep.since,
      provider: sweep.provider,
      otherEvents: sweep.otherEvents,
      entries: slice,
    }),
  );
}

/** The records of one audit-log check: the confirmations it made, its queries and its problem (if any). */
export function auditRecords(
  runId: string,
  check: {
    at: string;
    confirmations: ReadonlyMap<string, AuditConfirmation>;
    queries: readonly AuditQueryRecord[];
    problem?: string | undefined;
  },
  group = observationGroup(),
): JournalRecordInput[] {
  const list = [...check.confirmations].map(([objectId, confirmation]) => ({ objectId, confirmation }));
  const parts = partsBySize(list);
  return parts.map((confirmations, part) =>
    record(runId, 'bulkAudit', group, part, {
      group,
      part,
      parts: parts.length,
      at: check.at,
      ...(part === 0 ? { queries: check.queries } : {}),
      ...(part === 0 && check.problem ? { problem: check.problem } : {}),
      confirmations,
    }),
  );
}

/**
 * Entries that are new or differ from `before` (what a cycle or an audit check journals): an object
 * observed again carries a new observation time, so only objects not looked at again are left out.
 */
export function changedEntries<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [id, v] of after) {
    const was = before.get(id);
    if (was === undefined || JSON.stringify(was) !== JSON.stringify(v)) out.set(id, v);
  }
  return out;
}

/** Server observations made and not journaled yet (the latest per object), taken when their record is written. */
export class ObservationBuffer {
  private readonly byObject = new Map<string, ServerObservation>();

  add(observations: ReadonlyMap<string, ServerObservation>): void {
    for (const [id, o] of observations) this.byObject.set(id, o);
  }

  /** The buffered observations, in the order first seen; the buffer is empty afterwards. */
  take(): ServerObservation[] {
    const out = [...this.byObject.values()];
    this.byObject.clear();
    return out;
  }
}

/** Rebuild a run's summary and evidence from its journal records (oldest first; later records win). */
export function restoreRunEvidence(runId: string, records: readonly StoredJournalRecord[]): RestoredRunEvidence {
  const out: RestoredRunEvidence = {
    runId,
    serverObservations: new Map(),
    followUpCycles: [],
    dnMissing: [],
    auditChecked: false,
    auditConfirmations: new Map(),
    auditQueries: [],
    unreadable: 0,
  };
  const runEnds = new Map<string, z.infer<typeof runEndData>[]>();
  const sweeps = new Map<string, z.infer<typeof sweepData>[]>();
  const cycleLines = new Map<string, FollowUpCycleLine>();
  for (const r of records) {
    if (r.kind !== 'observation' || r.runId !== runId) continue;
    if (r.topic === 'bulkRunEnd') {
      const d = runEndData.safeParse(r.data);
      if (!d.success) {
        out.unreadable++;
        continue;
      }
      // a later run end (a resumed run) replaces the earlier one once it is complete
      runEnds.set(d.data.group, [...(runEnds.get(d.data.group) ?? []), d.data]);
    } else if (r.topic === 'bulkServerCycle') {
      const d = serverCycleData.safeParse(r.data);
      if (!d.success) {
        out.unreadable++;
        continue;
      }
      // each part holds real observations: applied even if another part of the cycle is missing
      for (const o of d.data.observations) out.serverObservations.set(o.objectId, o);
      if (!cycleLines.has(d.data.group)) {
        const line = { cycle: cycleLines.size + 1, pending: d.data.pending, headline: d.data.headline, at: d.data.at };
        cycleLines.set(d.data.group, line);
        out.followUpCycles.push(line);
      }
    } else if (r.topic === 'bulkFollowUpEnd') {
      const d = followUpEndData.safeParse(r.data);
      if (!d.success) {
        out.unreadable++;
        continue;
      }
      out.syncOutcome = d.data.message;
      out.dnMissing = d.data.missing;
      for (const o of d.data.observations ?? []) out.serverObservations.set(o.objectId, o);
    } else if (r.topic === 'bulkSweep6956') {
      const d = sweepData.safeParse(r.data);
      if (!d.success) {
        out.unreadable++;
        continue;
      }
      sweeps.set(d.data.group, [...(sweeps.get(d.data.group) ?? []), d.data]);
    } else {
      const d = auditData.safeParse(r.data);
      if (!d.success) {
        out.unreadable++;
        continue;
      }
      out.auditChecked = true;
      for (const c of d.data.confirmations) out.auditConfirmations.set(c.objectId, c.confirmation);
      if (d.data.part === 0) {
        out.auditQueries.push(...(d.data.queries ?? []));
        if (d.data.problem) out.auditProblem = d.data.problem;
        else delete out.auditProblem;
      }
    }
  }
  // the latest run end whose every part is in the journal (a part lost in a crash makes the set incomplete)
  const runEnd = latestWhole(runEnds, (first) => first.progress !== undefined);
  const progress = runEnd?.first.progress;
  if (runEnd && progress) {
    const { first, parts } = runEnd;
    out.summary = {
      runId,
      startedAt: first.startedAt,
      finishedAt: first.finishedAt,
      cancelled: first.cancelled,
      items: parts.flatMap((p) => p.items),
      progress,
    };
  }
  // the latest whole sweep (a partial sweep would show objects as not seen)
  const sweep = latestWhole(sweeps);
  if (sweep) {
    const entries = sweep.parts.flatMap((p) => p.entries);
    out.sweep = {
      since: sweep.first.since,
      provider: sweep.first.provider,
      otherEvents: sweep.first.otherEvents,
      confirmed: entries.flatMap((e) =>
        e.seen ? [{ objectId: e.objectId, dn: e.dn, time: e.time, recordId: e.recordId }] : [],
      ),
      notSeen: entries.flatMap((e) => (e.seen ? [] : [{ objectId: e.objectId, dn: e.dn }])),
    };
  }
  return out;
}

/**
 * The latest record set (by group, in journal order) whose every part is present and whose part 0 passes `accept`:
 * its part 0 and its parts in order, one record per part (a part journaled twice counts once).
 */
function latestWhole<T extends { part: number; parts: number }>(
  groups: ReadonlyMap<string, T[]>,
  accept: (first: T) => boolean = () => true,
): { first: T; parts: T[] } | undefined {
  for (const records of [...groups.values()].reverse()) {
    const byPart = new Map(records.map((r) => [r.part, r]));
    const first = byPart.get(0);
    if (!first || byPart.size !== first.parts || !accept(first)) continue;
    return { first, parts: [...byPart.values()].sort((a, b) => a.part - b.part) };
  }
  return undefined;
}

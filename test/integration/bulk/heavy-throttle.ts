/**
 * A bulk run under heavy throttling against the lab, shared by the integration test and `npm run bench -- throttle`.
 *
 * The tenant's other apps spend most of the tenant-wide write budget (`otherAppsWritesPerSecond`, the bucket
 * drained before the run); some writes are refused with injected 429s that carry `x-ms-throttle-limit-percentage`
 * 1.6–1.8 and no Retry-After; some whole `$batch` calls are refused with 429; the outer status of a batch with
 * throttled inner requests is the lab variant under test (200 or 424). The pipeline sees the outer response the
 * way the renderer does under CORS (no Retry-After, no x-ms-throttle-*).
 *
 * Time is the lab's clock: when nothing is in flight, the pipeline's sleeps move the lab clock forward instead of
 * waiting (buckets refill, Retry-After passes), so minutes of throttled run take seconds. Every batch is recorded
 * with the clock time it was sent and answered, so a test can check that Retry-After was obeyed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LabHandle } from '../../../src-main/lab/index';
import { Journal, journalPortOf } from '../../../src-main/journal/journal';
import { header, retryAfterHeaderMs, throttlePercentage } from '../../../src-renderer/lib/soa/bulk/graph-bodies';
import { DOCUMENTED_LIMITS, limitBoundRate, type WriteLimits } from '../../../src-renderer/lib/soa/bulk/pacer';
import { runBulk, type BulkItem, type RunProgress, type RunSummary } from '../../../src-renderer/lib/soa/bulk/pipeline';
import type { BatchBody, BatchHttpResponse, Clock, GraphBatchPort } from '../../../src-renderer/lib/soa/bulk/ports';
import { systemClock } from '../../../src-renderer/lib/soa/bulk/ports';
import { BULK_SCOPES, HYBRID_ADMIN } from './lab-session';
import { createNodeGraphBatchPort } from './node-graph-batch-port';

export interface HeavyThrottleOptions {
  objects: number;
  outerStatus: 200 | 424;
  /** lab `throttleScale` (capacities and refill rates of every bucket) */
  scale?: number;
  /** share of the tenant-wide write budget the other apps spend (0..1) */
  otherAppsShare?: number;
  /** chance per write of an injected 429 with percentage 1.6–1.8 and no Retry-After */
  injected429?: number;
  /** chance per `$batch` of an outer 429 (its Retry-After unreadable to the renderer) */
  outer429?: number;
  onProgress?: (p: RunProgress, labNow: number) => void;
}

/** One `$batch` call as the pipeline saw it. */
export interface RecordedBatch {
  /** order of events: when it was sent, and when its answer came */
  sentSeq: number;
  answeredSeq: number;
  sentAt: number;
  answeredAt: number;
  /** object ids of the PATCHes in the batch */
  writes: string[];
  outerStatus: number;
  /** the outer headers the pipeline could read */
  outerHeaders: Record<string, string>;
  /** inner answers to PATCHes: object id, status, Retry-After (ms; undefined when absent), percentage */
  writeAnswers: { objectId: string; status: number; retryAfterMs?: number; percentage?: number }[];
}

export interface HeavyThrottleResult {
  summary: RunSummary;
  batches: RecordedBatch[];
  /** PATCHes of onPremisesSyncBehavior per object, from the lab's write log */
  writesPerObject: Map<string, number>;
  /** journal records per op id: intents and results */
  journalCounts: Map<string, { intent: number; result: number }>;
  items: BulkItem[];
  /** lab-clock seconds from the first send to the last answer */
  seconds: number;
  /** the steady write rate the limits leave this app: min(app limit, tenant limit − other apps) */
  limitBoundRate: number;
  otherAppsWritesPerSecond: number;
}

const SOA_PATCH = /^\/contacts\/([^/]+)\/onPremisesSyncBehavior$/;

export async function runHeavyThrottle(lab: LabHandle, o: HeavyThrottleOptions): Promise<HeavyThrottleResult> {
  const scale = o.scale ?? 0.1;
  const limits: Partial<WriteLimits> = {
    appWritesPerWindow: DOCUMENTED_LIMITS.appWritesPerWindow * scale,
    tenantWritesPerWindow: DOCUMENTED_LIMITS.tenantWritesPerWindow * scale,
  };
  const tenantRate = (DOCUMENTED_LIMITS.tenantWritesPerWindow * scale) / (DOCUMENTED_LIMITS.tenantWindowMs / 1000);
  const otherAppsWritesPerSecond = tenantRate * (o.otherAppsShare ?? 0.85);
  const appRate = limitBoundRate({ ...DOCUMENTED_LIMITS, ...limits });
  const leftRate = Math.min(appRate, tenantRate - otherAppsWritesPerSecond);

  const items: BulkItem[] = lab
    .tenant()
    .objectsOf('contact')
    .filter((c) => c.onPremisesSyncEnabled === true && !c.isCloudManaged)
    .slice(0, o.objects)
    .map((c) => ({ objectId: c.id, objectType: 'contact', action: 'transfer' }));
  if (items.length < o.objects) throw new Error(`only ${items.length} synced contacts in the lab`);

  lab.updateSettings({ throttleScale: scale, otherAppsWritesPerSecond, batchThrottledOuterStatus: o.outerStatus });
  await lab.control('DELETE', '/throttle');
  await lab.control('POST', '/throttle', { bucket: 'tenantWrites', fill: 0 });
  lab.faults.clear();
  const injected = o.injected429 ?? 0.08;
  if (injected > 0) {
    lab.faults.add({
      method: 'PATCH',
      path: '/onPremisesSyncBehavior$',
      kind: 'status',
      status: 429,
      omitRetryAfter: true,
      limitPercentage: 1.7,
      probability: injected,
    });
  }
  if ((o.outer429 ?? 0.1) > 0)
    lab.faults.add({
      path: '^/v1\\.0/\\$batch$',
      kind: 'status',
      status: 429,
      retryAfterSeconds: 20,
      probability: o.outer429 ?? 0.1,
    });

  // lab time runs fast here: a token older than 30 lab minutes is replaced (Entra's last 60–90 min)
  let token = await lab.mintToken(HYBRID_ADMIN, BULK_SCOPES);
  let mintedAt = lab.clock.now();
  const port = createNodeGraphBatchPort({
    graphRoot: lab.info.graphBaseUrl,
    caCertPath: lab.info.caCertPath,
    getToken: async () => {
      if (lab.clock.now() - mintedAt > 30 * 60_000) {
        token = await lab.mintToken(HYBRID_ADMIN, BULK_SCOPES);
        mintedAt = lab.clock.now();
      }
      return token;
    },
    browserCors: { origin: 'app://soa-pilot' },
  });
  let offset = 0;
  let inFlight = 0;
  let journalBusy = 0;
  const clock: Clock = {
    now: () => lab.clock.now(),
    sleep: async (ms, signal) => {
      if (ms <= 0 || signal?.aborted) return;
      // a batch on the wire or a journal write under way: wait for real (its end wakes the scheduler); otherwise
      // nothing can happen before `ms` has passed, so let lab time pass at once
      if (inFlight > 0 || journalBusy > 0) return systemClock.sleep(Math.min(ms, 200), signal);
      offset += ms;
      lab.setClockOffset(offset);
      await new Promise((r) => setImmediate(r));
    },
  };
  const batches: RecordedBatch[] = [];
  let seq = 0;
  const graph: GraphBatchPort = {
    async sendBatch(body: BatchBody, options): Promise<BatchHttpResponse> {
      const writes = body.requests.filter((r) => r.method === 'PATCH');
      const rec: RecordedBatch = {
        sentSeq: ++seq,
        answeredSeq: NaN,
        sentAt: clock.now(),
        answeredAt: NaN,
        writes: writes.map((r) => SOA_PATCH.exec(r.url)?.[1] ?? r.url),
        outerStatus: 0,
        outerHeaders: {},
        writeAnswers: [],
      };
      inFlight++;
      try {
        const res = await port.sendBatch(body, options);
        rec.answeredAt = clock.now();
        rec.answeredSeq = ++seq;
        rec.outerStatus = res.status;
        rec.outerHeaders = res.headers;
        const responses = (
          res.body as { responses?: { id: string; status: number; headers?: Record<string, string> }[] }
        )?.responses;
        for (const w of writes) {
          const r = responses?.find((x) => x.id === w.id);
          if (!r) continue;
          const ra = retryAfterHeaderMs(r.headers, rec.answeredAt);
          const pct = throttlePercentage(r.headers);
          rec.writeAnswers.push({
            objectId: SOA_PATCH.exec(w.url)?.[1] ?? w.url,
            status: r.status,
            ...(ra !== undefined ? { retryAfterMs: ra } : {}),
            ...(pct !== undefined ? { percentage: pct } : {}),
          });
        }
        return res;
      } finally {
        inFlight--;
        if (Number.isNaN(rec.answeredAt)) {
          rec.answeredAt = clock.now();
          rec.answeredSeq = ++seq;
        }
        batches.push(rec);
      }
    },
  };

  const dir = mkdtempSync(path.join(tmpdir(), 'soa-heavy-throttle-'));
  const journal = new Journal(dir, lab.info.tenantDomain);
  const port0 = journalPortOf(journal);
  const since = lab.writeLog().length;
  try {
    const summary = await runBulk({
      runId: `heavy-${o.outerStatus}`,
      items,
      graph,
      journal: {
        append: async (records) => {
          journalBusy++;
          try {
            await port0.append(records);
          } finally {
            journalBusy--;
          }
        },
        readRun: (runId) => port0.readRun(runId),
      },
      clock,
      limits,
      concurrency: { initial: 2, max: 6 },
      ...(o.onProgress ? { onProgress: (p: RunProgress) => o.onProgress?.(p, lab.clock.now()) } : {}),
    });
    const writesPerObject = new Map<string, number>();
    for (const w of lab.writeLog().slice(since)) {
      if (w.method !== 'PATCH' || !/\/onPremisesSyncBehavior$/i.test(w.path) || !w.objectId) continue;
      writesPerObject.set(w.objectId, (writesPerObject.get(w.objectId) ?? 0) + 1);
    }
    const journalCounts = new Map<string, { intent: number; result: number }>();
    for (const r of (await journal.read({ runId: `heavy-${o.outerStatus}` })).records) {
      if (r.kind === 'observation') continue; // the pipeline journals none
      const c = journalCounts.get(r.opId) ?? { intent: 0, result: 0 };
      c[r.kind]++;
      journalCounts.set(r.opId, c);
    }
    const first = Math.min(...batches.map((b) => b.sentAt));
    const last = Math.max(...batches.map((b) => b.answeredAt));
    return {
      summary,
      batches,
      writesPerObject,
      journalCounts,
      items,
      seconds: (last - first) / 1000,
      limitBoundRate: leftRate,
      otherAppsWritesPerSecond,
    };
  } finally {
    await journal.close();
    port.close();
    lab.faults.clear();
    lab.setClockOffset(0);
    lab.updateSettings({ throttleScale: 1, otherAppsWritesPerSecond: 0, batchThrottledOuterStatus: 200 });
    await lab.control('DELETE', '/throttle');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every way a write was sent before Graph allowed it: for each throttled write answer (inner 429 with its
 * Retry-After, inner 429 without one, or a refused batch that carried writes), any batch with writes sent after that
 * answer came must be sent no earlier than the answer + Retry-After (or + 5 s when there was none to read).
 */
export function retryAfterViolations(batches: readonly RecordedBatch[]): string[] {
  const out: string[] = [];
  const sends = batches.filter((b) => b.writes.length > 0);
  for (const b of batches) {
    const waits: { why: string; ms: number }[] = [];
    for (const a of b.writeAnswers)
      if (a.status === 429) waits.push({ why: `inner 429 for ${a.objectId}`, ms: a.retryAfterMs ?? 5_000 });
    if (b.outerStatus === 429 && b.writes.length > 0) {
      const visible = header(b.outerHeaders, 'retry-after');
      waits.push({ why: 'outer 429', ms: visible !== undefined ? Number(visible) * 1000 : 5_000 });
    }
    for (const w of waits) {
      const until = b.answeredAt + w.ms;
      for (const s of sends)
        if (s.sentSeq > b.answeredSeq && s.sentAt < until)
          out.push(`${w.why} at ${b.answeredAt} (wait ${w.ms} ms): a write batch went out at ${s.sentAt}`);
    }
  }
  return out;
}

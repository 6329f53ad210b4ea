/**
 * `npm run bench -- journal`: 1,000,000 records (intents and their results; 1 % of the intents
 * stay open) appended by 64 concurrent writers, each awaiting its fsynced append like the bulk
 * pipeline and the single write do. The journal grows past 512 MB (the size at which the old
 * single-file journal failed every append with "Invalid string length").
 *
 * Prints append p50 / p99 latency, throughput, the journal's size and segment count, `pending()`
 * time after a restart (open + first call) and warm, `read({ limit })` and `read({ runId })` times,
 * and the process's peak RSS. `SOA_BENCH_JOURNAL_RECORDS` overrides the record count.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Journal, journalPath } from '../../src-main/journal/journal';
import type { JournalRecordInput } from '../../src-main/ipc/contract';

const RECORDS = Number(process.env.SOA_BENCH_JOURNAL_RECORDS ?? 1_000_000);
const WRITERS = 64;
const RUN_SIZE = 50_000; // intents per run id (a 50,000-object bulk run)
const PAD = 'x'.repeat(560); // a `before` snapshot; makes the journal pass 512 MB at 1,000,000 records

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
}

export async function runJournalBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'soa-journal-bench-'));
  const tenant = 'bench.example';
  const latencies = new Float64Array(RECORDS);
  let recorded = 0;
  let rssSampled = process.memoryUsage().rss;
  const sampler = setInterval(() => (rssSampled = Math.max(rssSampled, process.memoryUsage().rss)), 200);
  const rssBefore = process.memoryUsage().rss;
  try {
    const journal = new Journal(dir, tenant);
    let next = 0;
    let appended = 0;
    let openIntents = 0;
    let lastRunIndex = 0;
    const intentOf = (i: number): JournalRecordInput => ({
      kind: 'intent',
      opId: `op-${i}`,
      runId: `run-${Math.floor(i / RUN_SIZE)}`,
      objectType: 'contact',
      objectId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      displayName: `Contact ${i} Bearer Logistics`,
      action: 'transfer',
      before: { isCloudManaged: false, note: PAD },
      request: {
        method: 'PATCH',
        url: `/contacts/00000000-0000-4000-8000-${String(i).padStart(12, '0')}/onPremisesSyncBehavior`,
        body: { isCloudManaged: true },
      },
    });
    const append = async (r: JournalRecordInput): Promise<void> => {
      const t0 = performance.now();
      await journal.append(r);
      latencies[recorded++] = performance.now() - t0;
      appended++;
    };
    const started = performance.now();
    let lastReport = started;
    let claimed = 0; // records promised to writers so far (exactly RECORDS in the end)
    const writer = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        // 1 % of the intents stay open; the last intent stays open too if only one record is left
        const withResult = i % 100 !== 0 && claimed + 2 <= RECORDS;
        const need = withResult ? 2 : 1;
        if (claimed + need > RECORDS) return;
        claimed += need;
        openIntents += withResult ? 0 : 1;
        lastRunIndex = Math.max(lastRunIndex, Math.floor(i / RUN_SIZE));
        await append(intentOf(i));
        if (withResult) {
          await append({
            kind: 'result',
            opId: `op-${i}`,
            outcome: 'done',
            verified: true,
            status: 204,
            requestId: `r-${i}`,
          });
        }
        const now = performance.now();
        if (now - lastReport > 15_000) {
          lastReport = now;
          process.stderr.write(`journal bench: ${appended} records appended…\n`);
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, writer));
    const seconds = (performance.now() - started) / 1000;
    const stats = journal.stats();
    await journal.close();

    const folder = journalPath(dir, tenant);
    let bytes = 0;
    for (const f of readdirSync(folder)) bytes += statSync(path.join(folder, f)).size;

    // a restart: open (index + active segment) and pending()
    const reopened = new Journal(dir, tenant);
    const [pending, pendingColdMs] = await timed(() => reopened.pending());
    const [, pendingWarmMs] = await timed(() => reopened.pending());
    const [tail, readLimitMs] = await timed(() => reopened.read({ limit: 1000 }));
    const lastRun = `run-${lastRunIndex}`;
    const [run, readRunMs] = await timed(() => reopened.read({ runId: lastRun }));
    const [more, appendAfterMs] = await timed(() =>
      reopened.append({ kind: 'result', opId: 'op-0', outcome: 'done', verified: true }),
    );
    await reopened.close();
    clearInterval(sampler);
    const peakRss = Math.max(rssSampled, process.resourceUsage().maxRSS * 1024);

    const sorted = latencies.subarray(0, recorded).sort();
    const lines = [
      `journal: ${appended.toLocaleString('en-US')} records (${WRITERS} concurrent writers, each awaiting its fsynced append) in ${seconds.toFixed(1)} s = ${Math.round(appended / seconds).toLocaleString('en-US')} records/s`,
      `journal: append latency p50 ${percentile(sorted, 0.5).toFixed(2)} ms, p99 ${percentile(sorted, 0.99).toFixed(2)} ms, max ${percentile(sorted, 1).toFixed(1)} ms`,
      `journal: on disk ${mb(bytes)} in ${stats.segments} segments (past 512 MB: ${bytes > 512 * 1024 * 1024 ? 'yes' : 'no'}); next seq ${more.seq} (append after restart ${appendAfterMs.toFixed(1)} ms)`,
      `journal: pending() after restart ${pendingColdMs.toFixed(0)} ms (open + index + active segment), warm ${pendingWarmMs.toFixed(1)} ms; ${pending.length.toLocaleString('en-US')} open intents (expected ${openIntents.toLocaleString('en-US')})`,
      `journal: read({ limit: 1000 }) ${readLimitMs.toFixed(0)} ms (${tail.records.length} records); read({ runId: '${lastRun}' }) ${readRunMs.toFixed(0)} ms (${run.records.length.toLocaleString('en-US')} records)`,
      `journal: peak RSS ${mb(peakRss)} (process at start ${mb(rssBefore)}, includes the benchmark's own latency array of ${mb(latencies.byteLength)})`,
    ];
    for (const l of lines) console.log(l);
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}

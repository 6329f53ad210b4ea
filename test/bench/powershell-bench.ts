/**
 * PowerShell bridge benchmark: invocation latency in the persistent session versus a fresh
 * PowerShell per call (p50/p95 over >= 200 calls each, and the ratio), and memory (Node heap, pwsh RSS)
 * before and after 10,000 polling calls in one session. Reports against the targets; never fails on speed.
 *
 * Env: SOA_BENCH_CALLS (default 200), SOA_BENCH_SPAWN_CALLS (default 200), SOA_BENCH_POLLS (default 10000).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PowerShellSession } from '../../src-main/powershell/session';

const echo = z.object({ value: z.unknown(), processId: z.number() });
const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

function stats(samples: number[]): { p50: number; p95: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), n: s.length };
}

function rssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const fmt = (n: number | null, unit = 'ms'): string =>
  n === null || Number.isNaN(n) ? 'n/a' : `${n.toFixed(1)} ${unit}`;
const verdict = (ok: boolean): string => (ok ? 'meets target' : 'MISSES target');

export async function runPowershellBench(): Promise<void> {
  const calls = Math.max(200, num('SOA_BENCH_CALLS', 200));
  const spawnCalls = Math.max(200, num('SOA_BENCH_SPAWN_CALLS', 200));
  const polls = num('SOA_BENCH_POLLS', 10_000);
  console.log(
    `# PowerShell bridge benchmark (${calls} warm calls, ${spawnCalls} spawned calls, ${polls} polling calls)`,
  );

  // Warm: one persistent session.
  const session = new PowerShellSession();
  const info = await session.info();
  for (let i = 0; i < 10; i++) await session.run('Test-SoaEcho', { Value: i }, echo);
  const warm: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await session.run('Test-SoaEcho', { Value: `call ${i}` }, echo);
    warm.push(performance.now() - t);
  }
  const w = stats(warm);

  // Spawn per call: a new PowerShell for every call (start, one call, dispose).
  const spawned: number[] = [];
  for (let i = 0; i < spawnCalls; i++) {
    const t = performance.now();
    const fresh = new PowerShellSession();
    await fresh.run('Test-SoaEcho', { Value: `call ${i}` }, echo);
    await fresh.dispose();
    spawned.push(performance.now() - t);
  }
  const s = stats(spawned);
  const ratio = s.p50 / w.p50;

  console.log(`PowerShell ${info.psEdition} ${info.psVersion}`);
  console.log(`warm session     p50 ${fmt(w.p50)}  p95 ${fmt(w.p95)}   (target p50 <= 25 ms: ${verdict(w.p50 <= 25)})`);
  console.log(`spawn per call   p50 ${fmt(s.p50)}  p95 ${fmt(s.p95)}`);
  console.log(`ratio (p50)      ${ratio.toFixed(1)}x faster warm   (target >= 10x: ${verdict(ratio >= 10)})`);

  // Memory over a long polling session.
  const heapBefore = heapMb();
  const rssBefore = rssMb(session.pid);
  const pidBefore = session.pid;
  const t0 = performance.now();
  for (let i = 0; i < polls; i++) await session.run('Test-SoaEcho', { Value: i }, echo);
  const seconds = (performance.now() - t0) / 1000;
  const heapAfter = heapMb();
  const rssAfter = rssMb(session.pid);
  const growth = (rssAfter ?? 0) - (rssBefore ?? 0) + (heapAfter - heapBefore);
  console.log(
    `${polls} polling calls in ${seconds.toFixed(1)} s (same pwsh process: ${session.pid === pidBefore}, history entries: ${session.historySize})`,
  );
  console.log(
    `node heap        ${fmt(heapBefore, 'MB')} -> ${fmt(heapAfter, 'MB')}  (${(heapAfter - heapBefore).toFixed(1)} MB)`,
  );
  console.log(
    `pwsh RSS         ${fmt(rssBefore, 'MB')} -> ${fmt(rssAfter, 'MB')}  (${rssBefore !== null && rssAfter !== null ? (rssAfter - rssBefore).toFixed(1) : 'n/a'} MB)`,
  );
  console.log(`memory growth    ${growth.toFixed(1)} MB   (target <= 50 MB: ${verdict(growth <= 50)})`);
  await session.dispose();
}

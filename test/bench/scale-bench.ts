/**
 * `npm run bench -- scale`: the app at tenant scale, measured where it runs.
 *
 * 1. Lab: a seed of N contacts (default 50,000; `SOA_SCALE_OBJECTS=N` sets it) plus 2,000 users and 200 groups,
 *    generated in-process (seed time), then the lab server started fresh with a state file (time to ready), stopped
 *    (state saved), and started again from that file (time to ready) — that second lab serves the run.
 * 2. The app in browser mode (main in this process), Chromium as the renderer: sign in, a saved selection of N
 *    contacts, the dry-run plan (plan time), then the run with the lab's write limits scaled 10× (the app's limits
 *    scaled to match through its tuning overrides) and 50 ms latency per request (run time, share of the
 *    limit-bound rate, failed and unverified counts from the summary).
 * 3. Memory and responsiveness: peak RSS of this process (main: services, bridge, journal; it also holds the
 *    Playwright driver client), peak RSS of Chromium's renderer processes (VmHWM), and the longest main-thread task
 *    in the renderer during the run, from a PerformanceObserver for 'longtask' entries installed before the app loads.
 *
 * Targets (issue): share ≥ 98 % with 0 failed and 0 unverified; no long task over 200 ms. Figures only: a
 * benchmark never fails the build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { seedTenant } from '../../src-main/lab/seed';
import type { LabInfo } from '../../src-main/lab/types';
import { startBrowserMode } from '../../src-main/bridge/browser-mode';
import { chromiumArgs, labSpkiHashes } from '../../scripts/lab-trust';
import { DOCUMENTED_LIMITS, limitBoundRate, pacedRate } from '../../src-renderer/lib/soa/bulk/pacer';
import { longTasksOf, type CpuProfile } from './cpu-profile-long-tasks';

const N = Number(process.env.SOA_SCALE_OBJECTS ?? 50_000);
const USERS = 2_000;
const GROUPS = 200;
const SCALE = 10;
const LATENCY_MS = 50;
const UPN = 'hybrid.admin@contoso.onmicrosoft.com';
const CHROMIUM = process.env.SOA_CHROMIUM ?? '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

interface LabProcess {
  info: LabInfo;
  child: ChildProcess;
  readySeconds: number;
}

/** Start `src-main/lab/cli.ts` and wait for its `LAB {json}` line. */
function startLabProcess(args: string[]): Promise<LabProcess> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=4096',
      // SOA_SCALE_PROFILE=dir: the lab's CPU profile too (written when the lab exits on SIGTERM)
      ...(process.env.SOA_SCALE_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.SOA_SCALE_PROFILE] : []),
      '--import',
      'tsx',
      'src-main/lab/cli.ts',
      '--speed',
      'fast',
      ...args,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (c: string) => {
      out += c;
      const line = out.split('\n').find((l) => l.startsWith('LAB '));
      if (line)
        resolve({ info: JSON.parse(line.slice(4)) as LabInfo, child, readySeconds: (performance.now() - t0) / 1000 });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`lab exited (${code}) before it was ready`)));
  });
}

/** Stop the lab server (its state is saved through the control API first). */
function stopLabProcess(lab: LabProcess): Promise<void> {
  return new Promise((resolve) => {
    lab.child.once('exit', () => resolve());
    lab.child.kill('SIGKILL');
  });
}

async function labControl(info: LabInfo, method: string, p: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${info.controlUrl}${p}`, {
    method,
    headers: { Authorization: `Bearer ${info.controlToken}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!r.ok) throw new Error(`lab control ${method} ${p} → ${r.status}`);
  return r.json();
}

/** Peak resident set (VmHWM, MB) of the Chromium renderer processes below the browser started with `profile`. */
interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapProfileNode[];
}
interface HeapProfile {
  head: HeapProfileNode;
}

/** The `n` allocation sites holding the most live sampled bytes (function, file:line), with their share. */
function heapSites(profile: HeapProfile, n: number): string[] {
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapProfileNode): void => {
    if (node.selfSize > 0) {
      const f = node.callFrame;
      const site = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  return [
    `total ${(total / 1048576).toFixed(1)} MB`,
    ...[...bySite]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([site, bytes]) => `${(bytes / 1048576).toFixed(1)} MB (${((bytes / total) * 100).toFixed(0)} %) ${site}`),
  ];
}

function rendererPeakRssMb(profile: string): number {
  const procs = new Map<number, { ppid: number; cmd: string }>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      procs.set(Number(d), { ppid, cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8') });
    } catch {
      // the process ended meanwhile
    }
  }
  const browsers = new Set(
    [...procs].filter(([, p]) => p.cmd.includes(profile) && !p.cmd.includes('--type=')).map(([pid]) => pid),
  );
  const below = (pid: number): boolean => {
    for (let p = procs.get(pid)?.ppid, hops = 0; p !== undefined && p > 1 && hops < 8; p = procs.get(p)?.ppid, hops++)
      if (browsers.has(p)) return true;
    return false;
  };
  let peak = 0;
  for (const [pid, p] of procs) {
    if (!p.cmd.includes('--type=renderer') || !below(pid)) continue;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m?.[1]) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // ended
    }
  }
  return peak;
}

async function waitForText(page: Page, testid: string, re: RegExp, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const t =
      (await page
        .getByTestId(testid)
        .textContent()
        .catch(() => null)) ?? '';
    if (re.test(t)) return t;
    if (Date.now() > until) throw new Error(`${testid} never matched ${re} (last: ${t})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Where the run's time goes, from the `$batch` trace (page clock, ms): from the confirmation to the first write
 * sent, the writes' own stretch (first sent to last sent) and its rate against the limit-bound rate, the slowest
 * 10-second window of it, and from the last write to the summary. `[kind, start, duration, requests, writes]`.
 */
function writeTimeline(
  batches: readonly [string, number, number, number, number][],
  runStart: number,
  runSeconds: number,
  maxRate: number,
): string {
  const run = batches.filter(([, t]) => t >= runStart);
  const writing = run.filter(([, , , , w]) => w > 0);
  const first = writing[0];
  const lastW = writing.at(-1);
  if (!first || !lastW) return 'scale trace: no write batch in the run';
  const writes = writing.reduce((a, [, , , , w]) => a + w, 0);
  const requests = run.reduce((a, [, , , n]) => a + n, 0);
  const span = (lastW[1] - first[1]) / 1000;
  // writes sent per 10-second window over the writes' stretch: the slowest full window
  let slowest = Infinity;
  for (let from = first[1]; from + 10_000 <= lastW[1]; from += 10_000) {
    const n = writing.filter(([, t]) => t >= from && t < from + 10_000).reduce((a, [, , , , w]) => a + w, 0);
    slowest = Math.min(slowest, n / 10);
  }
  const lastEnd = Math.max(...run.map(([, t, d]) => t + d));
  return (
    `scale trace: run time split: ${((first[1] - runStart) / 1000).toFixed(1)} s to the first write; writes sent over ` +
    `${span.toFixed(1)} s at ${(writes / span).toFixed(1)} writes/s (${((writes / span / maxRate) * 100).toFixed(1)} % ` +
    `of the limit-bound rate; slowest 10 s window ${Number.isFinite(slowest) ? slowest.toFixed(1) : '-'} writes/s); ` +
    `last $batch answered ${((runStart + runSeconds * 1000 - lastEnd) / 1000).toFixed(1)} s before the summary was seen; ` +
    `${run.length} batches, ${(requests / run.length).toFixed(1)} requests and ${(writes / writing.length).toFixed(1)} ` +
    `writes per write-carrying batch`
  );
}

export async function runScaleBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'soa-scale-bench-'));
  const stateFile = path.join(dir, 'lab-state.json');
  const out: string[] = [];
  const say = (l: string): void => {
    out.push(l);
    console.log(l);
  };
  let lab: LabProcess | undefined;
  try {
    // ---- 1. the lab at scale ------------------------------------------------------------------------
    let t0 = performance.now();
    const seeded = seedTenant({ seed: 1, contacts: N, users: USERS, groups: GROUPS, now: Date.now() });
    const seedSeconds = (performance.now() - t0) / 1000;
    const objects = Object.keys(seeded.tenant.objects).length;
    say(
      `scale: lab seed of ${N.toLocaleString('en')} contacts + ${USERS} users + ${GROUPS} groups (${objects.toLocaleString('en')} cloud objects, ${seeded.onPrem.length.toLocaleString('en')} AD objects) generated in ${seedSeconds.toFixed(1)} s`,
    );
    const scaleArgs = ['--contacts', String(N), '--users', String(USERS), '--groups', String(GROUPS)];
    const fresh = await startLabProcess([...scaleArgs, '--state', stateFile]);
    const t1 = performance.now();
    await labControl(fresh.info, 'POST', '/save', { file: stateFile });
    const saveSeconds = (performance.now() - t1) / 1000;
    await stopLabProcess(fresh);
    const stateMb = statSync(stateFile).size / 1048576;
    lab = await startLabProcess(['--state', stateFile]);
    say(
      `scale: lab server ready fresh in ${fresh.readySeconds.toFixed(1)} s; state file ${stateMb.toFixed(0)} MB saved in ${saveSeconds.toFixed(1)} s; ready from the state file in ${lab.readySeconds.toFixed(1)} s (both include starting Node and loading the TypeScript)`,
    );
    const info = lab.info;
    const synced = (await labControl(info, 'GET', `/objects?kind=contact&state=synced&limit=${N}`)) as {
      value: { id: string }[];
    };
    const ids = synced.value.map((o) => o.id).slice(0, N);

    // ---- 2. the app: main here, the renderer in Chromium ----------------------------------------------
    const app = await startBrowserMode({ dataDir: dir, lab: info });
    const spki = await labSpkiHashes(info.graphBaseUrl, info.caCertPath);
    const profile = mkdtempSync(path.join(tmpdir(), 'soa-scale-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: chromiumArgs(spki, false),
      viewport: { width: 1366, height: 900 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(300_000); // a loaded machine: the view can take minutes to appear
      page.on('pageerror', (e) => console.error(`scale: renderer error: ${e.message}`));
      // in the page, before the app loads (plain script text: this file is compiled without the DOM types)
      await page.addInitScript({
        content: `localStorage.setItem('soa-pilot.tuning', JSON.stringify({ bulkWriteLimitScale: ${SCALE} }));
          window.__longTasks = [];
          new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
            .observe({ type: 'longtask', buffered: true });
          performance.setResourceTimingBufferSize(1000000);
          window.__fetches = [];
          const realFetch = window.fetch.bind(window);
          window.fetch = async (input, init) => {
            const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
            const kind = url.includes('$batch') ? 'graph-batch' : url.includes('/rpc/') ? 'bridge:' + url.split('/').pop() : 'other:' + url.split('?')[0].split('/').slice(-2).join('/');
            // a $batch's requests and writes (PATCH), counted in its JSON body
            const body = kind === 'graph-batch' && init && typeof init.body === 'string' ? init.body : '';
            const n = (body.match(/"method"/g) || []).length, w = (body.match(/"PATCH"/g) || []).length;
            const t = performance.now();
            try { return await realFetch(input, init); }
            finally { window.__fetches.push([kind, t, performance.now() - t, n, w]); }
          };`,
      });
      // a long task belongs to the phase it started in (the observer may report it a little later, in another phase);
      // before reading, the page gets an idle moment, so the observer has reported every task that ended by then
      const pageNow = async (): Promise<number> => (await page.evaluate('performance.now()')) as number;
      const longTasksIn = async (from: number, to: number): Promise<number[]> => {
        await page.evaluate('new Promise((resolve) => requestIdleCallback(() => resolve(), { timeout: 2000 }))');
        const all = (await page.evaluate('window.__longTasks.slice()')) as [number, number][];
        return all.filter(([start]) => start >= from && start < to).map(([, duration]) => duration);
      };
      await page.goto(app.bridge.url);
      await waitForText(page, 'app-info', /Browser mode/, 60_000);
      await page.getByTestId('sign-in-browser').click();
      const link = page.getByTestId('sign-in-link');
      await link.waitFor();
      const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
      await popup.waitForLoadState();
      await popup.locator(`button[value="${UPN}"]`).click();
      await popup.waitForLoadState().catch(() => undefined);
      void popup.close().catch(() => undefined);
      await waitForText(page, 'account', new RegExp(UPN.replace(/\./g, '\\.')), 120_000);
      await page.getByRole('button', { name: 'Bulk', exact: true }).click();
      await page.getByTestId('bulk-selection').waitFor();
      await page.getByTestId('bulk-mode-saved').check();
      await page.getByTestId('saved-file').setInputFiles({
        name: 'selection-scale.json',
        mimeType: 'application/json',
        buffer: Buffer.from(
          JSON.stringify({
            version: 1,
            objectType: 'contact',
            createdAt: new Date().toISOString(),
            description: '',
            ids,
          }),
        ),
      });
      await waitForText(page, 'selection-count', new RegExp(`${ids.length}\\s+contacts selected`), 120_000);

      await labControl(info, 'POST', '/settings', { latencyMs: LATENCY_MS, throttleScale: SCALE });
      // SOA_SCALE_PROFILE=dir: CPU profiles of the renderer while planning and while running, and each long task
      // attributed to the functions that ran in it (readable names need an unminified renderer build)
      const profileDir = process.env.SOA_SCALE_PROFILE;
      const cdp = profileDir ? await context.newCDPSession(page) : undefined;
      const startProfile = async (): Promise<void> => {
        if (!cdp) return;
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      };
      const stopProfile = async (name: string): Promise<void> => {
        if (!cdp || !profileDir) return;
        const { profile } = await cdp.send('Profiler.stop');
        const file = path.join(profileDir, `renderer-${name}.cpuprofile`);
        writeFileSync(file, JSON.stringify(profile));
        say(`scale: renderer CPU profile (${name}) in ${file}`);
        for (const t of longTasksOf(profile as CpuProfile)) {
          say(`scale profile (${name}): task at ${(t.startMs / 1000).toFixed(1)} s, ${t.durationMs.toFixed(0)} ms`);
          say(`    self: ${t.self.join('; ')}`);
          say(`    under: ${t.under.join('; ')}`);
        }
      };
      // the long tasks until now (the app loading, sign-in, reading the selection file) are not the plan's
      const planFrom = await pageNow();
      const beforePlan = await longTasksIn(0, planFrom);
      say(
        `scale: longest renderer task before planning (app load, sign-in, the selection file) ${Math.max(0, ...beforePlan).toFixed(0)} ms over ${beforePlan.length} long tasks`,
      );
      await startProfile();
      t0 = performance.now();
      await page.getByTestId('build-plan').click();
      await page.getByTestId('plan-table').waitFor({ timeout: 3_600_000 });
      // the plan is saved in the background as soon as it is built; its save counts as planning, not as the run
      await page.getByTestId('plan-saved').waitFor({ timeout: 3_600_000 });
      const planSeconds = (performance.now() - t0) / 1000;
      const planTo = await pageNow();
      const planned = Number((await page.getByTestId('plan-count-transfer').textContent())?.replace(/\D/g, '') ?? 0);
      const planTasks = await longTasksIn(planFrom, planTo);
      say(
        `scale: plan of ${ids.length.toLocaleString('en')} contacts (${planned} to transfer) built and saved in ${planSeconds.toFixed(1)} s (longest renderer task while planning ${Math.max(0, ...planTasks).toFixed(0)} ms over ${planTasks.length} long tasks)`,
      );

      await stopProfile('plan');
      await startProfile();
      // SOA_SCALE_HEAP=s: what the renderer's JS heap holds s seconds into the run, by allocation site (V8's sampling
      // heap profiler: the sampled allocations still alive then), and the heap's size after the plan and then
      const heapAt = Number(process.env.SOA_SCALE_HEAP ?? 0);
      const heapCdp = heapAt > 0 ? await context.newCDPSession(page) : undefined;
      let heapReport: Promise<void> = Promise.resolve();
      if (heapCdp) {
        const usage = async (): Promise<string> => {
          const u = (await heapCdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
          return `${(u.usedSize / 1048576).toFixed(0)} MB used of ${(u.totalSize / 1048576).toFixed(0)} MB`;
        };
        say(`scale heap: after the plan ${await usage()}`);
        await heapCdp.send('HeapProfiler.enable');
        await heapCdp.send('HeapProfiler.startSampling', { samplingInterval: 32768 });
        heapReport = new Promise<void>((resolve) => setTimeout(resolve, heapAt * 1000)).then(async () => {
          const { profile } = (await heapCdp.send('HeapProfiler.getSamplingProfile')) as { profile: HeapProfile };
          await heapCdp.send('HeapProfiler.stopSampling');
          say(`scale heap: ${heapAt} s into the run ${await usage()}; live sampled allocations by site:`);
          for (const line of heapSites(profile, 25)) say(`    ${line}`);
        });
      }
      const confirm = page.getByTestId('bulk-confirm');
      await confirm.fill(`TRANSFER ${planned}`);
      const pageT0 = await pageNow();
      t0 = performance.now();
      await confirm.press('Enter');
      await page.getByTestId('bulk-summary').waitFor({ timeout: 4 * 3_600_000 });
      const runSeconds = (performance.now() - t0) / 1000;
      const pageT1 = await pageNow();
      await heapReport.catch((e: unknown) => say(`scale heap: not sampled (${String(e)})`));
      // read before the trace below: copying tens of thousands of trace entries out of the page is itself a long task
      const longTasks = await longTasksIn(pageT0, pageT1);
      if (process.env.SOA_SCALE_TRACE) {
        const fetches = (await page.evaluate('window.__fetches')) as [string, number, number, number, number][];
        const byKind = new Map<string, number[]>();
        for (const [k, , d] of fetches) byKind.set(k, [...(byKind.get(k) ?? []), d]);
        for (const [k, ds] of byKind) {
          ds.sort((a, b) => a - b);
          const q = (f: number): number => ds[Math.min(ds.length - 1, Math.floor(ds.length * f))] ?? 0;
          say(
            `scale trace: ${k}: ${ds.length} calls, p50 ${q(0.5).toFixed(0)} ms, p95 ${q(0.95).toFixed(0)} ms, max ${q(1).toFixed(0)} ms`,
          );
        }
        const batches = fetches.filter(([k]) => k === 'graph-batch');
        const ev = batches.flatMap(([, t, d]) => [
          [t, 1],
          [t + d, -1],
        ]);
        ev.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
        let cur = 0,
          peak = 0,
          area = 0,
          last = ev[0]?.[0] ?? 0;
        for (const [t = 0, d = 0] of ev) {
          area += cur * (t - last);
          last = t;
          cur += d;
          peak = Math.max(peak, cur);
        }
        // the same requests as the network stack saw them (start to the last byte; no main-thread wait)
        const net = (
          (await page.evaluate(
            "performance.getEntriesByType('resource').filter((e) => e.name.includes('$batch')).map((e) => e.duration)",
          )) as number[]
        ).sort((a, b) => a - b);
        const nq = (f: number): number => net[Math.min(net.length - 1, Math.floor(net.length * f))] ?? 0;
        const busy = longTasks.reduce((a, b) => a + b, 0);
        say(
          `scale trace: $batch in the network stack: ${net.length} entries, p50 ${nq(0.5).toFixed(0)} ms, p95 ${nq(0.95).toFixed(0)} ms; renderer long tasks total ${(busy / 1000).toFixed(1)} s`,
        );
        say(
          `scale trace: $batch in flight: peak ${peak}, mean ${(area / Math.max(1, last - (ev[0]?.[0] ?? 0))).toFixed(2)}`,
        );
        say(writeTimeline(batches, pageT0, runSeconds, (DOCUMENTED_LIMITS.appWritesPerWindow * SCALE) / 150));
      }
      await stopProfile('run');
      const figure = async (id: string): Promise<number> =>
        Number((await page.getByTestId(id).textContent())?.replace(/\D/g, '') ?? NaN);
      const verified = await figure('p-verified');
      const failed = await figure('p-failed');
      const unverified = await figure('p-unverified');
      const longest = Math.max(0, ...longTasks);
      const scaledLimits = {
        ...DOCUMENTED_LIMITS,
        appWritesPerWindow: DOCUMENTED_LIMITS.appWritesPerWindow * SCALE,
        tenantWritesPerWindow: DOCUMENTED_LIMITS.tenantWritesPerWindow * SCALE,
      };
      const maxRate = limitBoundRate(scaledLimits);
      const rate = verified / runSeconds;
      say(
        `scale: run of ${planned.toLocaleString('en')} writes, limits ×${SCALE} (limit-bound ${maxRate.toFixed(0)} writes/s), ${LATENCY_MS} ms latency: ${runSeconds.toFixed(1)} s, ${verified} verified, ${failed} failed, ${unverified} unverified`,
      );
      say(
        `scale: share of the limit-bound rate = ${((rate / maxRate) * 100).toFixed(1)} % (target ≥ 98 %, with 0 failed and 0 unverified: ${failed + unverified === 0 ? 'yes' : 'NO'}; the pacer aims at ${((pacedRate(scaledLimits) / maxRate) * 100).toFixed(1)} %)`,
      );
      say(
        `scale: longest renderer main-thread task during the run = ${longest.toFixed(0)} ms over ${longTasks.length} long tasks (target ≤ 200 ms)`,
      );
      say(
        `scale: peak RSS main (this process) = ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; renderer = ${rendererPeakRssMb(profile).toFixed(0)} MB`,
      );
    } finally {
      await context.close().catch(() => undefined);
      await app.close();
      rmSync(profile, { recursive: true, force: true });
    }
  } finally {
    if (lab) lab.child.kill(process.env.SOA_SCALE_PROFILE ? 'SIGTERM' : 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

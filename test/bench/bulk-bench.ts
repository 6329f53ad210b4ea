/**
 * `npm run bench -- bulk`: the lab with 50 ms latency per HTTP request and the write limits
 * scaled 10× (30,000 writes per 150 s = 200 writes/s). 5,000 contacts go through the bulk pipeline in
 * a child process (so its peak RSS is the pipeline's own), and 300 other contacts through a sequential
 * GET, PATCH, GET loop. Prints objects/s for each, their ratio, the pipeline's share of the limit-bound
 * maximum rate and the pipeline process's peak RSS. Targets: ≥ 90 % of the limit-bound rate with zero
 * failed/unverified objects, ≥ 15× the sequential loop, ≤ 300 MB RSS.
 *
 * The same file is the child: `SOA_BULK_BENCH_CHILD=1 node --import tsx test/bench/bulk-bench.ts`.
 */
import { spawn } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { labSession, allContacts } from '../integration/bulk/lab-session';
import { createNodeGraphBatchPort } from '../integration/bulk/node-graph-batch-port';
import { Journal, journalPortOf } from '../../src-main/journal/journal';
import { buildPlan, planItems } from '../../src-renderer/lib/soa/bulk/plan';
import { runBulk, type BulkItem } from '../../src-renderer/lib/soa/bulk/pipeline';
import { limitBoundRate, DOCUMENTED_LIMITS, type WriteLimits } from '../../src-renderer/lib/soa/bulk/pacer';

const SCALE = 10;
const PIPELINE_OBJECTS = 5000;
const SEQUENTIAL_OBJECTS = 300;
const LATENCY_MS = 50;
const LIMITS: Partial<WriteLimits> = {
  appWritesPerWindow: DOCUMENTED_LIMITS.appWritesPerWindow * SCALE,
  tenantWritesPerWindow: DOCUMENTED_LIMITS.tenantWritesPerWindow * SCALE,
};
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

interface ChildResult {
  seconds: number;
  verified: number;
  failed: number;
  unverified: number;
  skipped: number;
  throttled: number;
  retries: number;
  maxRssMb: number;
}

export async function runBulkBench(): Promise<void> {
  const s = await labSession({ seed: 5, contacts: PIPELINE_OBJECTS + SEQUENTIAL_OBJECTS });
  const dir = mkdtempSync(path.join(tmpdir(), 'soa-bulk-bench-'));
  try {
    const { lab, graph, token } = s;
    const selection = await allContacts(graph);
    const plan = await buildPlan({
      kind: 'transfer',
      objectType: 'contact',
      objects: selection,
      graph,
      scope: { kind: 'tenant' },
      planId: 'bench',
    });
    const all = planItems(plan);
    if (all.length < PIPELINE_OBJECTS + SEQUENTIAL_OBJECTS) throw new Error(`only ${all.length} transferable contacts`);
    const pipelineItems = all.slice(0, PIPELINE_OBJECTS);
    const sequentialItems = all.slice(PIPELINE_OBJECTS, PIPELINE_OBJECTS + SEQUENTIAL_OBJECTS);
    lab.updateSettings({ latencyMs: LATENCY_MS, throttleScale: SCALE });
    const maxRate = limitBoundRate({ ...DOCUMENTED_LIMITS, ...LIMITS });

    // 1. the pipeline, in its own process
    const itemsFile = path.join(dir, 'items.json');
    writeFileSync(itemsFile, JSON.stringify(pipelineItems));
    const child = await runChild({
      SOA_BULK_BENCH_CHILD: '1',
      SOA_GRAPH_ROOT: lab.info.graphBaseUrl,
      SOA_CA: lab.info.caCertPath,
      SOA_TOKEN: token,
      SOA_DATA_DIR: dir,
      SOA_TENANT: lab.info.tenantDomain,
      SOA_ITEMS: itemsFile,
    });
    const pipelineRate = child.verified / child.seconds;

    // 2. the sequential loop: GET, PATCH, GET per object, one request at a time
    const t0 = performance.now();
    let seqVerified = 0;
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: readFileSync(lab.info.caCertPath) });
    try {
      for (const it of sequentialItems) {
        const url = `${lab.info.graphBaseUrl}/v1.0/contacts/${it.objectId}/onPremisesSyncBehavior`;
        const before = await call(agent, 'GET', `${url}?$select=isCloudManaged`, token);
        if (before.status !== 200) continue;
        const patch = await call(agent, 'PATCH', url, token, { isCloudManaged: true });
        if (patch.status >= 300) continue;
        const after = await call(agent, 'GET', `${url}?$select=isCloudManaged`, token);
        if (after.status === 200 && (after.body as { isCloudManaged?: unknown }).isCloudManaged === true) seqVerified++;
      }
    } finally {
      agent.destroy();
    }
    const seqSeconds = (performance.now() - t0) / 1000;
    const seqRate = seqVerified / seqSeconds;

    const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
    const lines = [
      `bulk: lab latency ${LATENCY_MS} ms/request, write limits ×${SCALE} (${LIMITS.appWritesPerWindow} writes/150 s → limit-bound max ${maxRate.toFixed(0)} objects/s)`,
      `bulk: pipeline   ${child.verified}/${PIPELINE_OBJECTS} verified in ${child.seconds.toFixed(1)} s = ${pipelineRate.toFixed(1)} objects/s (failed ${child.failed}, unverified ${child.unverified}, throttled ${child.throttled}, retries ${child.retries})`,
      `bulk: sequential ${seqVerified}/${SEQUENTIAL_OBJECTS} verified in ${seqSeconds.toFixed(1)} s = ${seqRate.toFixed(2)} objects/s`,
      `bulk: ratio pipeline/sequential = ${(pipelineRate / seqRate).toFixed(1)}× (target ≥ 15×)`,
      `bulk: share of the limit-bound maximum = ${pct(pipelineRate / maxRate)} (target ≥ 90 %, zero failed/unverified: ${child.failed + child.unverified === 0 ? 'yes' : 'NO'})`,
      `bulk: pipeline process peak RSS = ${child.maxRssMb.toFixed(0)} MB (target ≤ 300 MB)`,
    ];
    for (const l of lines) console.log(l);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function call(
  agent: https.Agent,
  method: string,
  url: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(
      url,
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function runChild(env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'bulk-bench.ts')], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) return reject(new Error(`bench child failed (exit ${code})`));
      resolve(JSON.parse(line.slice(7)) as ChildResult);
    });
  });
}

async function childMain(): Promise<void> {
  const env = z
    .object({
      SOA_GRAPH_ROOT: z.string().url(),
      SOA_CA: z.string(),
      SOA_TOKEN: z.string(),
      SOA_DATA_DIR: z.string(),
      SOA_TENANT: z.string(),
      SOA_ITEMS: z.string(),
    })
    .parse(process.env);
  const items = JSON.parse(readFileSync(env.SOA_ITEMS, 'utf8')) as BulkItem[];
  const token = env.SOA_TOKEN;
  const graph = createNodeGraphBatchPort({
    graphRoot: env.SOA_GRAPH_ROOT,
    caCertPath: env.SOA_CA,
    getToken: async () => token,
  });
  const journal = new Journal(env.SOA_DATA_DIR, env.SOA_TENANT);
  const t0 = performance.now();
  const summary = await runBulk({
    runId: 'bench-run',
    items,
    graph,
    journal: journalPortOf(journal),
    limits: LIMITS,
    concurrency: { initial: 2, max: 8 },
  });
  const seconds = (performance.now() - t0) / 1000;
  await journal.close();
  graph.close();
  const p = summary.progress;
  const result: ChildResult = {
    seconds,
    verified: p.verified,
    failed: p.failed,
    unverified: p.unverified,
    skipped: p.skipped,
    throttled: p.throttled,
    retries: p.retries,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

if (process.env.SOA_BULK_BENCH_CHILD === '1') {
  childMain().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bulk bench child failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}

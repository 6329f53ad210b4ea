/**
 * Bulk must-show against the in-process lab: a 2,000-contact plan and run under injected 429
 * storms, 503s, dropped connections and applied-but-lost responses. Every object ends in its planned
 * state, the journal holds exactly one intent and one final record per written object, and the lab's
 * write log shows no double writes. Also the CSV import rejections (nothing written).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labSession, allContacts, soaWritesPerObject } from './lab-session';
import { Journal, journalPortOf } from '../../../src-main/journal/journal';
import { saveReport } from '../../../src-main/journal/reports';
import { buildPlan, planItems } from '../../../src-renderer/lib/soa/bulk/plan';
import { runBulk, opIdFor, type RunProgress } from '../../../src-renderer/lib/soa/bulk/pipeline';
import { planCsv, runCsv, runHtml } from '../../../src-renderer/lib/soa/bulk/report';
import { importCsv } from '../../../src-renderer/lib/soa/bulk/csv-import';
import { transferredByRun } from '../../../src-renderer/lib/soa/bulk/rollback';

type Session = Awaited<ReturnType<typeof labSession>>;

describe('bulk transfer against the lab (2,000 contacts, faults)', () => {
  let s: Session;
  let dir: string;
  beforeAll(async () => {
    s = await labSession({ seed: 7, contacts: 2000 });
    dir = mkdtempSync(path.join(tmpdir(), 'soa-bulk-int-'));
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans, then runs the plan through 429 storms, 503s, drops and lost responses: planned state, one write and one intent+result each', async () => {
    const { lab, graph } = s;
    const selection = await allContacts(graph);
    expect(selection.length).toBeGreaterThan(2000);
    const plan = await buildPlan({
      kind: 'transfer',
      objectType: 'contact',
      objects: selection,
      graph,
      scope: { kind: 'tenant' },
      planId: 'plan-2000',
    });
    expect(plan.counts.transfer).toBe(2000);
    expect(plan.counts.skipAlreadyTransferred).toBeGreaterThan(0);
    expect(plan.counts.skipCloudNative).toBeGreaterThan(0);
    expect(lab.writeLog()).toHaveLength(0); // the dry run only reads
    const saved = await saveReport(dir, 'plan-2000', 'csv', planCsv(plan));
    expect(readFileSync(saved.path, 'utf8').split('\r\n').length).toBe(selection.length + 2);

    // faults: 503/500 inside batches, dropped connections and applied-but-lost responses on $batch,
    // and a 429 storm: the lab's write bucket is shrunk (capacity 400, 2.7 writes/s) while the pipeline
    // is told the limits are 10× the documented ones; the storm ends when the buckets are refilled.
    lab.faults.add({
      path: '/onPremisesSyncBehavior$',
      method: 'PATCH',
      kind: 'status',
      status: 503,
      probability: 0.04,
    });
    lab.faults.add({ path: '/onPremisesSyncBehavior$', method: 'GET', kind: 'status', status: 500, probability: 0.02 });
    lab.faults.add({ path: '^/v1\\.0/\\$batch$', kind: 'drop', probability: 0.03 });
    lab.faults.add({ path: '^/v1\\.0/\\$batch$', kind: 'appliedLost', probability: 0.04 });
    lab.updateSettings({ throttleScale: 400 / 3000 });
    let stormEnded = false;
    let maxThrottled = 0;

    const journal = new Journal(dir, lab.info.tenantDomain);
    const runId = 'run-2000';
    const summary = await runBulk({
      runId,
      items: planItems(plan),
      graph,
      journal: journalPortOf(journal),
      limits: { appWritesPerWindow: 30_000, tenantWritesPerWindow: 180_000 },
      retry: { baseMs: 50, maxMs: 1000, maxAttempts: 25, uncertainSettleMs: 300 },
      concurrency: { initial: 2, max: 6 },
      onProgress: (p: RunProgress) => {
        maxThrottled = p.throttled;
        if (!stormEnded && p.throttled >= 60) {
          stormEnded = true;
          lab.updateSettings({ throttleScale: 10 });
          void lab.control('DELETE', '/throttle'); // the storm passes: buckets full again
        }
      },
    });
    lab.faults.clear();
    expect(stormEnded).toBe(true);
    expect(maxThrottled).toBeGreaterThanOrEqual(60);
    expect(summary.progress).toMatchObject({ total: 2000, verified: 2000, failed: 0, unverified: 0, remaining: 0 });

    // every planned object is transferred; nothing else was touched
    const t = lab.tenant();
    for (const e of plan.entries) {
      const o = t.object(e.objectId);
      expect(o?.isCloudManaged, e.objectId).toBe(e.action === 'transfer' ? true : e.isCloudManaged);
    }
    // no double writes
    const writes = soaWritesPerObject(lab);
    expect(writes.size).toBe(2000);
    for (const [id, n] of writes) expect(n, id).toBe(1);
    // journal: exactly one intent and one final record per object
    const { records } = await journal.read({ runId });
    const count = new Map<string, { intent: number; result: number }>();
    for (const r of records) {
      if (r.kind === 'observation') continue; // the pipeline journals none
      const c = count.get(r.opId) ?? { intent: 0, result: 0 };
      c[r.kind]++;
      count.set(r.opId, c);
    }
    expect(count.size).toBe(2000);
    for (const e of planItems(plan))
      expect(count.get(opIdFor(runId, 'contact', e.objectId))).toEqual({ intent: 1, result: 1 });
    expect(
      records
        .filter((r) => r.kind === 'result')
        .every((r) => r.kind === 'result' && r.outcome === 'done' && r.verified),
    ).toBe(true);
    expect(await journal.pending()).toEqual([]);
    // the journal is a folder of segments: every file in it is free of tokens
    const journalText = readdirSync(journal.path)
      .map((f) => path.join(journal.path, f))
      .filter((f) => statSync(f).isFile())
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(journalText.length).toBeGreaterThan(0);
    expect(journalText).not.toMatch(/eyJ|Bearer/);
    expect(journalText).not.toContain(s.token);

    // report with per-object evidence
    const html = await saveReport(
      dir,
      `${runId}-report`,
      'html',
      runHtml(summary, plan, { tenant: lab.info.tenantDomain, journalPath: journal.path }),
    );
    const csv = await saveReport(dir, `${runId}-report`, 'csv', runCsv(summary));
    expect(readFileSync(html.path, 'utf8')).toContain('Per-object evidence');
    expect(readFileSync(csv.path, 'utf8').split('\r\n').length).toBe(2002);

    // the run's journal is a rollback source
    expect(transferredByRun(records, runId)).toHaveLength(2000);
    await journal.close();
  });

  it('CSV import rejects bad rows (unknown id, ambiguous mail, malformed line) and a 10 MB badly encoded file; nothing is written', async () => {
    const { lab, graph } = s;
    const before = lab.writeLog().length;
    const t = lab.tenant();
    const contacts = Object.values(t.state.objects).filter((o) => o.kind === 'contact' && o.mail);
    const [a, b, c] = contacts;
    if (!a || !b || !c) throw new Error('seed has too few mail contacts');
    b.mail = a.mail; // test set-up: two contacts share a mail address
    const text = ['mail', c.mail, a.mail, '00000000-1111-4222-8333-444444444444', '"unterminated, line', c.id].join(
      '\r\n',
    );
    const res = await importCsv(new TextEncoder().encode(text), { objectType: 'contact', graph });
    expect(res.ok).toBe(false);
    expect(res.objects).toEqual([]);
    expect(res.rowErrors.map((e) => [e.line, e.code])).toEqual([
      [3, 'ambiguousMail'],
      [4, 'unknownId'],
      [5, 'malformed'],
    ]);

    const big = Buffer.alloc(10 * 1024 * 1024 - 1024, 'a@b.com\n');
    big[5_000_000] = 0xc3;
    big[5_000_001] = 0x28; // invalid UTF-8 sequence in the middle
    const bad = await importCsv(big, { objectType: 'contact', graph });
    expect(bad).toMatchObject({ ok: false, fileError: { code: 'badEncoding' }, objects: [] });
    const tooBig = await importCsv(Buffer.alloc(10 * 1024 * 1024 + 1, 'a'), { objectType: 'contact', graph });
    expect(tooBig).toMatchObject({ ok: false, fileError: { code: 'tooLarge' } });
    expect(lab.writeLog().length).toBe(before);
  });
});

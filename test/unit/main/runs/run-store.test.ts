import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createServices, type Services } from '../../../../src-main/services';
import { RunStore, runsDir } from '../../../../src-main/runs/run-store';
import type { WizardRunSnapshot } from '../../../../src-main/ipc/contract';

const sender = { kind: 'bridge', remoteAddress: '127.0.0.1' } as const;

function snapshot(over: Partial<WizardRunSnapshot> = {}): WizardRunSnapshot {
  return {
    runId: randomUUID(),
    kind: 'transfer',
    startedAt: '2026-12-01T10:00:00.000Z',
    index: 5,
    visited: 5,
    stepId: 'verify-cloud',
    stepTitle: 'Verify in the cloud',
    object: { type: 'contact', id: 'c-1', displayName: 'Alex Wilber', mail: 'alex@contoso.com', dn: 'CN=Alex,DC=x' },
    evidence: [
      {
        id: 'transfer',
        title: 'Transfer',
        purpose: 'PATCH',
        startedAt: '2026-12-01T10:01:00.000Z',
        finishedAt: '2026-12-01T10:01:01.000Z',
        requests: [{ kind: 'graph', label: 'PATCH …', at: '2026-12-01T10:01:00.000Z', status: 204, requestId: 'r-1' }],
        expected: 'isCloudManaged = true',
        observed: 'done',
        verdict: 'pass',
        notes: [],
      },
    ],
    opIds: ['op-1'],
    auditSince: '2026-12-01T09:59:00.000Z',
    ...over,
  };
}

describe('run store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-runs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves a run, lists it while open (newest first), and no longer after it is closed', async () => {
    let t = Date.parse('2026-12-01T10:00:00Z');
    const store = new RunStore(dir, 'lab.example', () => new Date((t += 1000)));
    const a = snapshot();
    const b = snapshot({ kind: 'rollback', stepId: 'takeover', index: 4, visited: 4 });
    await store.save(a);
    await store.save(b);
    const open = await store.listOpen();
    expect(open.map((r) => r.runId)).toEqual([b.runId, a.runId]);
    expect(open[1]).toMatchObject({ ...a, status: 'open' });
    // a later step replaces the snapshot
    await store.save({ ...a, index: 6, visited: 6, stepId: 'writable' });
    expect((await store.listOpen())[0]).toMatchObject({ runId: a.runId, index: 6, stepId: 'writable' });
    expect(await store.close(a.runId, 'finished')).toBe(true);
    expect((await store.listOpen()).map((r) => r.runId)).toEqual([b.runId]);
    expect(await store.close(randomUUID(), 'abandoned')).toBe(false);
    // a closed run is not reopened by a late save (e.g. a second tab)
    await expect(store.save(a)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('keeps one file per run, per tenant, and skips unreadable files instead of offering them', async () => {
    const store = new RunStore(dir, 'lab.example');
    const other = new RunStore(dir, 'other.example');
    const a = snapshot();
    await store.save(a);
    expect(await other.listOpen()).toEqual([]);
    const folder = runsDir(dir, 'lab.example');
    expect(readdirSync(folder)).toEqual([`${a.runId}.json`]);
    writeFileSync(path.join(folder, `${randomUUID()}.json`), '{"runId": torn');
    expect((await store.listOpen()).map((r) => r.runId)).toEqual([a.runId]);
  });

  it('refuses invalid runs at the boundary (through the router)', async () => {
    const services: Services = createServices({
      transport: 'browser',
      dataDir: dir,
      settingsOverride: { tenant: 'lab.example' },
      validateSender: () => true,
    });
    try {
      const call = (name: string, input: unknown) => services.router.dispatch(name, input, sender, () => {});
      const bad = await call('run.save', { run: { ...snapshot(), runId: '../../etc' } });
      expect(bad).toMatchObject({ ok: false, error: { code: 'validation' } });
      const good = snapshot();
      expect(await call('run.save', { run: good })).toMatchObject({ ok: true });
      expect(await call('run.list', {})).toMatchObject({ ok: true, value: { runs: [{ runId: good.runId }] } });
      expect(await call('run.close', { runId: good.runId, status: 'abandoned' })).toMatchObject({
        ok: true,
        value: { closed: true },
      });
      expect(await call('run.list', {})).toMatchObject({ ok: true, value: { runs: [] } });
    } finally {
      await services.dispose();
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../../../src-main/services';

const sender = { kind: 'bridge', remoteAddress: '127.0.0.1' } as const;

describe('journal module (through the router)', () => {
  let dir: string;
  let services: Services;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-journal-mod-'));
    services = createServices({
      transport: 'browser',
      dataDir: dir,
      settingsOverride: { tenant: 'lab.example' },
      validateSender: () => true,
    });
  });
  afterEach(async () => {
    await services.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const call = (name: string, input: unknown) => services.router.dispatch(name, input, sender, () => {});

  it('appends, lists pending and reads by run', async () => {
    const rec = {
      kind: 'intent',
      opId: 'op-1',
      runId: 'run-9',
      objectType: 'contact',
      objectId: 'c-1',
      action: 'transfer',
      request: { method: 'PATCH', url: '/contacts/c-1/onPremisesSyncBehavior', body: { isCloudManaged: true } },
    };
    const a = await call('journal.append', { record: rec });
    expect(a).toMatchObject({ ok: true, value: { seq: 1 } });
    const p = await call('journal.pending', {});
    expect(p).toMatchObject({ ok: true, value: { pending: [{ opId: 'op-1' }] } });
    await call('journal.append', { record: { kind: 'result', opId: 'op-1', outcome: 'done', verified: true } });
    const r = await call('journal.read', { runId: 'run-9' });
    expect(r.ok && (r.value as { records: unknown[]; path: string }).records).toHaveLength(2);
    expect(r.ok && (r.value as { path: string }).path).toBe(path.join(dir, 'journal', 'lab.example'));
    expect(await call('journal.pending', {})).toMatchObject({ ok: true, value: { pending: [] } });
  });

  it('appendMany writes the accepted records and names the refused one without echoing it', async () => {
    const intent = (opId: string, displayName: string) => ({
      kind: 'intent',
      opId,
      runId: 'run-m',
      objectType: 'contact',
      objectId: opId,
      displayName,
      action: 'transfer',
      request: { method: 'PATCH', url: `/contacts/${opId}/onPremisesSyncBehavior`, body: { isCloudManaged: true } },
    });
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc';
    const res = await call('journal.appendMany', {
      records: [intent('m-1', 'One'), intent('m-2', token), intent('m-3', 'Three')],
    });
    expect(res).toMatchObject({ ok: true, value: { written: [{ seq: 1 }, { seq: 2 }], refused: [{ opId: 'm-2' }] } });
    expect(JSON.stringify(res)).not.toContain(token);
    const r = await call('journal.read', { runId: 'run-m' });
    expect(r.ok && (r.value as { records: { opId: string }[] }).records.map((x) => x.opId)).toEqual(['m-1', 'm-3']);
    expect(await call('journal.appendMany', { records: [] })).toMatchObject({ ok: false });
  });

  it('refuses a record with a token as a typed error', async () => {
    const res = await call('journal.append', {
      record: {
        kind: 'result',
        opId: 'x',
        outcome: 'failed',
        verified: false,
        reason: 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc',
      },
    });
    expect(res).toMatchObject({ ok: false, error: { code: 'refused' } });
  });

  const intent = (opId: string, runId: string) => ({
    kind: 'intent',
    opId,
    runId,
    objectType: 'contact',
    objectId: opId,
    action: 'transfer',
    request: { method: 'PATCH', url: `/contacts/${opId}/onPremisesSyncBehavior`, body: { isCloudManaged: true } },
  });
  const seqs = (r: Awaited<ReturnType<typeof call>>) =>
    r.ok ? (r.value as { records: { seq: number }[] }).records.map((x) => x.seq) : [];

  it("concurrent appends share the tenant's one journal: distinct, increasing seq", async () => {
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((id) => call('journal.append', { record: intent(id, 'run-c') })),
    );
    expect(results.map((r) => (r.ok ? (r.value as { seq: number }).seq : 0)).sort()).toEqual([1, 2, 3, 4]);
    expect(seqs(await call('journal.read', {}))).toEqual([1, 2, 3, 4]);
  });

  it('journal.read passes runId, limit and afterSeq on to the journal', async () => {
    for (const [id, run] of [
      ['r1', 'run-a'],
      ['r2', 'run-b'],
      ['r3', 'run-a'],
      ['r4', 'run-a'],
    ] as const)
      await call('journal.append', { record: intent(id, run) });
    expect(seqs(await call('journal.read', { runId: 'run-a' }))).toEqual([1, 3, 4]);
    expect(seqs(await call('journal.read', { limit: 2 }))).toEqual([3, 4]);
    expect(seqs(await call('journal.read', { afterSeq: 1, limit: 2 }))).toEqual([2, 3]);
    expect(seqs(await call('journal.read', { afterSeq: 3 }))).toEqual([4]);
  });

  it.runIf(process.platform === 'linux')('dispose closes the journal file', async () => {
    await call('journal.append', { record: intent('x', 'run-x') });
    const openInDir = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(path.join('/proc/self/fd', fd)).startsWith(dir);
        } catch {
          return false;
        }
      });
    expect(openInDir().length).toBeGreaterThan(0);
    await services.dispose();
    expect(openInDir()).toEqual([]);
  });

  it('saves a report in parts through report.saveBegin / savePart / saveEnd, and drops one on saveAbort', async () => {
    const begun = (await call('report.saveBegin', { name: 'run-2-summary', format: 'csv' })) as {
      ok: true;
      value: { uploadId: string };
    };
    expect(begun).toMatchObject({ ok: true });
    const { uploadId } = begun.value;
    expect(await call('report.savePart', { uploadId, part: 0, content: 'a,b\n' })).toEqual({
      ok: true,
      value: { chars: 4 },
    });
    expect(await call('report.savePart', { uploadId, part: 1, content: '1,2\n' })).toEqual({
      ok: true,
      value: { chars: 8 },
    });
    const end = (await call('report.saveEnd', { uploadId, parts: 2, chars: 8 })) as {
      ok: true;
      value: { path: string };
    };
    expect(end).toMatchObject({ ok: true, value: { path: path.join(dir, 'reports', 'run-2-summary.csv') } });
    expect(readFileSync(end.value.path, 'utf8')).toBe('a,b\n1,2\n');
    const other = (await call('report.saveBegin', { name: 'dropped', format: 'html' })) as {
      ok: true;
      value: { uploadId: string };
    };
    expect(await call('report.saveAbort', { uploadId: other.value.uploadId })).toEqual({
      ok: true,
      value: { aborted: true },
    });
    expect(readdirSync(path.join(dir, 'reports'))).toEqual(['run-2-summary.csv']);
  });

  it('saves reports atomically under reports/', async () => {
    const res = await call('report.save', { name: 'run-1-plan', format: 'csv', content: 'a,b\n1,2\n' });
    expect(res).toMatchObject({ ok: true });
    const file = path.join(dir, 'reports', 'run-1-plan.csv');
    expect(readFileSync(file, 'utf8')).toBe('a,b\n1,2\n');
    expect(readdirSync(path.join(dir, 'reports'))).toEqual(['run-1-plan.csv']);
    expect(await call('report.save', { name: '../evil', format: 'html', content: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'validation' },
    });
  });
});

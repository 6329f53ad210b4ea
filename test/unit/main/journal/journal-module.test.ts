import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, readdirSync } from 'node:fs';
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

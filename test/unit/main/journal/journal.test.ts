import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal, journalPath, tenantFileName } from '../../../../src-main/journal/journal';
import type { JournalRecordInput } from '../../../../src-main/ipc/contract';

const intent = (opId: string, runId = 'run-1'): JournalRecordInput => ({
  kind: 'intent',
  opId,
  runId,
  objectType: 'contact',
  objectId: `obj-${opId}`,
  action: 'transfer',
  before: { isCloudManaged: false },
  request: { method: 'PATCH', url: `/contacts/obj-${opId}/onPremisesSyncBehavior`, body: { isCloudManaged: true } },
});
const seg1 = (dir: string): string => path.join(journalPath(dir, 't'), 'seg-000001.jsonl');
const result = (opId: string): JournalRecordInput => ({
  kind: 'result',
  opId,
  outcome: 'done',
  verified: true,
  status: 204,
});

describe('Journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one JSON line per record under <dataDir>/journal/<tenant>/seg-000001.jsonl with increasing seq', async () => {
    const j = new Journal(dir, 'Contoso.onmicrosoft.com');
    const a = await j.append(intent('1'));
    const b = await j.append(result('1'));
    expect(b.seq).toBe(a.seq + 1);
    expect(j.path).toBe(path.join(dir, 'journal', 'contoso.onmicrosoft.com'));
    const lines = readFileSync(path.join(j.path, 'seg-000001.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'intent', seq: a.seq, tenant: 'Contoso.onmicrosoft.com' });
    await j.close();
  });

  it('continues seq after a restart and group-commits concurrent appends in order', async () => {
    const j1 = new Journal(dir, 't');
    await j1.appendMany([intent('1'), intent('2'), intent('3')]);
    await j1.close();
    const j2 = new Journal(dir, 't');
    const results = await Promise.all([
      j2.append(result('1')),
      j2.append(result('2')),
      j2.appendMany([intent('4'), result('4')]),
    ]);
    const seqs = results.flatMap((r) => (Array.isArray(r) ? r.map((x) => x.seq) : [r.seq]));
    expect(seqs).toEqual([4, 5, 6, 7]);
    const { records } = await j2.read();
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await j2.close();
  });

  it('pending() lists intents without results; read() filters by run and limits to the newest', async () => {
    const j = new Journal(dir, 't');
    await j.appendMany([intent('a', 'r1'), intent('b', 'r1'), intent('c', 'r2'), result('a')]);
    expect((await j.pending()).map((p) => p.opId)).toEqual(['b', 'c']);
    const r1 = await j.read({ runId: 'r1' });
    expect(r1.records.map((r) => `${r.kind}:${r.opId}`)).toEqual(['intent:a', 'intent:b', 'result:a']);
    expect((await j.read({ limit: 2 })).records.map((r) => r.seq)).toEqual([3, 4]);
    await j.close();
  });

  it('skips a torn last line and starts the next record on a fresh line', async () => {
    const j = new Journal(dir, 't');
    await j.append(intent('1'));
    await j.close();
    appendFileSync(seg1(dir), '{"kind":"result","opId":"1","outc');
    const j2 = new Journal(dir, 't');
    const before = await j2.read();
    expect(before.records).toHaveLength(1);
    expect(before.skippedLines).toBe(1);
    expect((await j2.pending()).map((p) => p.opId)).toEqual(['1']);
    await j2.append(result('1'));
    const after = await j2.read();
    expect(after.records.map((r) => r.kind)).toEqual(['intent', 'result']);
    expect(await j2.pending()).toEqual([]);
    await j2.close();
  });

  it('refuses records that carry a token and never writes them', async () => {
    const j = new Journal(dir, 't');
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl';
    await expect(
      j.append({
        ...intent('1'),
        request: { method: 'PATCH', url: '/contacts/x', body: { note: jwt } },
      } as JournalRecordInput),
    ).rejects.toMatchObject({ code: 'refused' });
    await expect(
      j.append({
        kind: 'result',
        opId: '1',
        outcome: 'done',
        verified: true,
        reason: `Authorization: Bearer ${'a'.repeat(40)}`,
      }),
    ).rejects.toMatchObject({ code: 'refused' });
    await expect(
      j.append({ ...(intent('2') as Extract<JournalRecordInput, { kind: 'intent' }>), before: { access_token: 'x' } }),
    ).rejects.toMatchObject({ code: 'refused' });
    await j.append(intent('3'));
    const text = readFileSync(path.join(j.path, 'seg-000001.jsonl'), 'utf8');
    expect(text).not.toContain('eyJ');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(text).seq).toBe(1);
    await j.close();
  });

  it('journals ordinary names that contain the word "Bearer" (a name is not a header)', async () => {
    const j = new Journal(dir, 't');
    for (const [i, name] of [
      'Standard Bearer Investments',
      'Flag Bearer Consulting GmbH',
      'Bearer Logistics',
    ].entries()) {
      const rec = { ...(intent(`n${i}`) as Extract<JournalRecordInput, { kind: 'intent' }>), displayName: name };
      rec.request = { ...rec.request, body: { isCloudManaged: true, displayName: name } };
      await expect(j.append(rec)).resolves.toMatchObject({ seq: i + 1 });
    }
    expect((await j.pending()).map((p) => p.intent.kind === 'intent' && p.intent.displayName)).toEqual([
      'Standard Bearer Investments',
      'Flag Bearer Consulting GmbH',
      'Bearer Logistics',
    ]);
    await j.close();
  });

  it('says where the secret is without echoing it', async () => {
    const j = new Journal(dir, 't');
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl';
    const err = await j
      .append({
        ...intent('1'),
        request: { method: 'PATCH', url: '/contacts/x', body: { note: jwt } },
      } as JournalRecordInput)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'refused' });
    expect((err as Error).message).toMatch(/request\.body\.note/);
    expect((err as Error).message).not.toContain(jwt);
    await j.close();
  });

  it('a record with seq 2^53-1 in the file never hides later appends (it is quarantined)', async () => {
    const j1 = new Journal(dir, 't');
    await j1.append(intent('1'));
    await j1.close();
    const poisoned = { ...intent('evil'), seq: Number.MAX_SAFE_INTEGER, at: new Date(0).toISOString(), tenant: 't' };
    appendFileSync(seg1(dir), JSON.stringify(poisoned) + '\n');
    const j2 = new Journal(dir, 't');
    const a = await j2.append(intent('2'));
    expect(Number.isSafeInteger(a.seq)).toBe(true);
    expect(a.seq).toBe(2);
    const b = await j2.append(intent('3'));
    expect(b.seq).toBe(3);
    const { records, skippedLines } = await j2.read();
    expect(records.map((r) => r.opId)).toEqual(['1', '2', '3']);
    expect(skippedLines).toBe(1);
    expect((await j2.pending()).map((p) => p.opId)).toEqual(['1', '2', '3']);
    await j2.close();
  });

  it('malformed, out-of-order and duplicate records are quarantined; the records after them stay visible', async () => {
    const j1 = new Journal(dir, 't');
    await j1.appendMany([intent('1'), intent('2')]);
    await j1.close();
    const at = new Date(0).toISOString();
    appendFileSync(
      seg1(dir),
      [
        JSON.stringify({ kind: 'nonsense', seq: 3, at, tenant: 't' }),
        JSON.stringify({ ...intent('dup'), seq: 2, at, tenant: 't' }),
        JSON.stringify({ ...intent('neg'), seq: -5, at, tenant: 't' }),
        JSON.stringify({ ...intent('float'), seq: 3.5, at, tenant: 't' }),
        JSON.stringify({ ...intent('big'), seq: 2 ** 53, at, tenant: 't' }),
        '[1,2,3]',
        'null',
        JSON.stringify({ ...intent('ok'), seq: 3, at, tenant: 't' }),
      ].join('\n') + '\n',
    );
    const j2 = new Journal(dir, 't');
    const next = await j2.append(result('1'));
    expect(next.seq).toBe(4);
    const { records, skippedLines } = await j2.read();
    expect(records.map((r) => `${r.kind}:${r.opId}:${r.seq}`)).toEqual([
      'intent:1:1',
      'intent:2:2',
      'intent:ok:3',
      'result:1:4',
    ]);
    expect(skippedLines).toBe(7);
    expect((await j2.pending()).map((p) => p.opId)).toEqual(['2', 'ok']);
    await j2.close();
  });

  it('rejects invalid records', async () => {
    const j = new Journal(dir, 't');
    await expect(
      j.append({ kind: 'result', opId: '', outcome: 'done', verified: true } as JournalRecordInput),
    ).rejects.toMatchObject({
      code: 'validation',
    });
    expect(existsSync(path.join(j.path, 'seg-000001.jsonl'))).toBe(false); // nothing written
    await expect(j.append(intent('1'))).resolves.toMatchObject({ seq: 1 });
    await j.close();
  });

  it('tenant file names are safe', () => {
    expect(tenantFileName('../../etc/passwd')).not.toContain('/');
    expect(tenantFileName('..')).not.toMatch(/^\./);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal, journalPath, tenantFileName, containsSecret } from '../../../../src-main/journal/journal';
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

  it('writes one JSON line per record under <dataDir>/journal/<tenant>.jsonl with increasing seq', async () => {
    const j = new Journal(dir, 'Contoso.onmicrosoft.com');
    const a = await j.append(intent('1'));
    const b = await j.append(result('1'));
    expect(b.seq).toBe(a.seq + 1);
    expect(j.path).toBe(path.join(dir, 'journal', 'contoso.onmicrosoft.com.jsonl'));
    const lines = readFileSync(j.path, 'utf8').trim().split('\n');
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
    appendFileSync(journalPath(dir, 't'), '{"kind":"result","opId":"1","outc');
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
    const text = readFileSync(j.path, 'utf8');
    expect(text).not.toContain('eyJ');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(text).seq).toBe(1);
    await j.close();
  });

  it('rejects invalid records', async () => {
    const j = new Journal(dir, 't');
    await expect(
      j.append({ kind: 'result', opId: '', outcome: 'done', verified: true } as JournalRecordInput),
    ).rejects.toMatchObject({
      code: 'validation',
    });
    expect(existsSync(j.path)).toBe(true);
    await j.close();
  });

  it('tenant file names are safe', () => {
    expect(tenantFileName('../../etc/passwd')).not.toContain('/');
    expect(tenantFileName('..')).not.toMatch(/^\./);
    expect(containsSecret('{"isCloudManaged":true}')).toBe(false);
  });
});

/**
 * The journal's edges: its file names, its options, the refusal it gives for a credential (word for word, per
 * record kind), the bulk pipeline's JournalPort over it (`journalPortOf`), `readJournalSync`, and the run list a
 * segment keeps for the index (dropped past 1,000 runs).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  Journal,
  journalPath,
  journalPortOf,
  legacyJournalPath,
  readJournalSync,
  SegmentTally,
  tenantFileName,
} from '../../../../src-main/journal/journal';
import { segmentName } from '../../../../src-main/journal/journal-segments';
import type { JournalRecordInput } from '../../../../src-main/ipc/contract';
import { MemoryJournalFs } from './memory-fs';

const DATA = '/data';
const clock = () => new Date('2026-12-01T10:00:00.000Z');
const at = clock().toISOString();
const intent = (opId: string, runId?: string): JournalRecordInput => ({
  kind: 'intent',
  opId,
  ...(runId === undefined ? {} : { runId }),
  objectType: 'contact',
  objectId: `obj-${opId}`,
  action: 'transfer',
  request: { method: 'PATCH', url: `/contacts/obj-${opId}/onPremisesSyncBehavior` },
});
const result = (opId: string): JournalRecordInput => ({ kind: 'result', opId, outcome: 'done', verified: true });
const withToken: JournalRecordInput = {
  kind: 'intent',
  opId: 'op-1',
  objectType: 'contact',
  objectId: 'c1',
  action: 'transfer',
  before: { access_token: 'x' },
  request: { method: 'PATCH', url: '/contacts/c1' },
};
const REFUSED_INTENT =
  'Journal record refused: before.access_token looks like a credential (credential field). The journal never stores tokens or secrets; remove it from the transfer intent for contact c1 and try again.';

describe('journal file names', () => {
  it('one lower-case, separator-free name per tenant, at most 120 characters, never starting with a dot', () => {
    expect(tenantFileName('Contoso.OnMicrosoft.com')).toBe('contoso.onmicrosoft.com.jsonl');
    expect(tenantFileName('../../etc/passwd')).toBe('__.._etc_passwd.jsonl');
    expect(tenantFileName('...hidden')).toBe('_hidden.jsonl');
    expect(tenantFileName('A B/C\\D')).toBe('a_b_c_d.jsonl');
    expect(tenantFileName('a-b_c.d')).toBe('a-b_c.d.jsonl');
    expect(tenantFileName('')).toBe('tenant.jsonl');
    expect(tenantFileName('x'.repeat(130))).toBe(`${'x'.repeat(120)}.jsonl`);
  });

  it('the folder is the name without .jsonl (only at its end); the legacy file keeps it', () => {
    expect(journalPath('/d', 'Contoso.com')).toBe(path.join('/d', 'journal', 'contoso.com'));
    expect(journalPath('/d', 'x.jsonl.y')).toBe(path.join('/d', 'journal', 'x.jsonl.y'));
    expect(legacyJournalPath('/d', 'Contoso.com')).toBe(path.join('/d', 'journal', 'contoso.com.jsonl'));
  });
});

describe('journal options', () => {
  it('takes a clock as its third argument, and keeps a batch in one segment by default', async () => {
    const fs = new MemoryJournalFs();
    const j = new Journal(DATA, 't', { fs, now: clock });
    await j.append(intent('a'));
    await j.appendMany([intent('b'), intent('c')]);
    expect(j.stats().segments).toBe(1);
    await j.close();
    const dir = mkdtempSync(path.join(tmpdir(), 'soa-journal-clock-'));
    try {
      const k = new Journal(dir, 't', () => new Date('2020-01-02T03:04:05.000Z'));
      expect(await k.append(intent('a'))).toEqual({ seq: 1, at: '2020-01-02T03:04:05.000Z' });
      await k.close();
      const now = new Journal(dir, 't');
      const before = Date.now();
      const { at: stamped } = await now.append(intent('b'));
      expect(Date.parse(stamped)).toBeGreaterThanOrEqual(before - 1000);
      await now.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stats() of a journal not opened yet counts nothing', () => {
    expect(new Journal(DATA, 't', { fs: new MemoryJournalFs() }).stats()).toEqual({
      segments: 0,
      openIntents: 0,
      nextSeq: 1,
      quarantined: 0,
    });
  });

  it('a segment size below one byte seals every batch, like one byte', async () => {
    const fs = new MemoryJournalFs();
    const j = new Journal(DATA, 't', { fs, now: clock, segmentBytes: 0 });
    await j.append(intent('a'));
    await j.append(intent('b'));
    await j.close();
    const names = fs.names(journalPath(DATA, 't')).filter((n) => n.startsWith('seg-'));
    expect(names).toEqual([segmentName(1), segmentName(2)]);
    expect(names.map((n) => fs.text(path.join(journalPath(DATA, 't'), n))?.split('\n').length)).toEqual([2, 2]);
  });
});

describe('the refusal of a record that carries a credential', () => {
  it('says where, what kind, and which record, per kind of record', async () => {
    const j = new Journal(DATA, 't', { fs: new MemoryJournalFs(), now: clock });
    await expect(j.append(withToken)).rejects.toMatchObject({
      code: 'refused',
      message: REFUSED_INTENT,
      detail: { path: 'before.access_token', kind: 'credential field', opId: 'op-1' },
    });
    await expect(
      j.append({
        kind: 'observation',
        opId: 'obs-1',
        runId: 'run-9',
        topic: 'bulkAudit',
        data: { refresh_token: 'abc' },
      }),
    ).rejects.toThrow(
      'Journal record refused: data.refresh_token looks like a credential (credential field). The journal never stores tokens or secrets; remove it from the bulkAudit observation of run run-9 and try again.',
    );
    await expect(
      j.append({ ...result('op-2'), reason: `Authorization: Bearer ${'a'.repeat(40)}` } as JournalRecordInput),
    ).rejects.toThrow(
      'Journal record refused: reason looks like a credential (authorization header). The journal never stores tokens or secrets; remove it from the result of op-2 and try again.',
    );
    await j.close();
  });
});

describe('journalPortOf (the bulk pipeline’s journal over this class)', () => {
  it('appends what it accepts, then rejects naming each refused record', async () => {
    const fs = new MemoryJournalFs();
    const j = new Journal(DATA, 't', { fs, now: clock });
    const port = journalPortOf(j);
    await port.append([intent('a', 'run-1')]);
    const refusedWith = { ...withToken, opId: 'op-2' };
    const err = await port.append([withToken, result('a'), refusedWith]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      code: 'refused',
      message: `op-1: ${REFUSED_INTENT}; op-2: ${REFUSED_INTENT}`,
      refused: [
        { opId: 'op-1', message: REFUSED_INTENT },
        { opId: 'op-2', message: REFUSED_INTENT },
      ],
    });
    // the accepted record is durable all the same; readRun gives the run's records
    await j.append(intent('b', 'run-2'));
    expect((await port.readRun('run-1')).map((r) => `${r.kind}:${r.opId}:${r.seq}`)).toEqual([
      'intent:a:1',
      'result:a:2',
    ]);
    await j.close();
  });
});

describe('readJournalSync', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-journal-sync-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every segment in order, skipping blank lines and counting bad ones', () => {
    expect(readJournalSync(dir, 't')).toEqual({ records: [], skippedLines: 0 });
    const folder = journalPath(dir, 't');
    mkdirSync(folder, { recursive: true });
    const line = (r: JournalRecordInput, seq: number): string => JSON.stringify({ ...r, seq, at, tenant: 't' });
    writeFileSync(path.join(folder, segmentName(2)), `${line(result('a'), 3)}\n`);
    writeFileSync(
      path.join(folder, segmentName(1)),
      `${line(intent('a'), 1)}\n  \nnot json\n${line(intent('b'), 2)}\n`,
    );
    writeFileSync(path.join(folder, 'index.json'), '{}');
    const { records, skippedLines } = readJournalSync(dir, 't');
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(skippedLines).toBe(1);
  });
});

describe('the run list a segment keeps (SegmentTally)', () => {
  it('lists up to 1,000 runs in order, none for records without a run, and is dropped past 1,000 for good', () => {
    const full = new SegmentTally(3, 10, 7);
    full.addRun(undefined);
    for (let i = 0; i < 1000; i++) full.addRun(`run-${i}`);
    full.addRun('run-0'); // a run already listed is not listed twice
    const summary = full.summary();
    expect(summary.runIds).toHaveLength(1000);
    expect(summary.runIds?.slice(0, 2)).toEqual(['run-0', 'run-1']);
    expect(summary).toMatchObject({ n: 3, bytes: 10, count: 0, rejected: 0, lastSeq: 7 });
    full.addRun('run-1000');
    expect(full.summary().runIds).toBeNull();
    full.addRun('run-1001');
    full.addRun('run-0');
    expect(full.summary().runIds).toBeNull();
    expect(new SegmentTally(1, 0, 0).summary()).toEqual({
      n: 1,
      bytes: 0,
      count: 0,
      rejected: 0,
      lastSeq: 0,
      runIds: [],
    });
  });
});

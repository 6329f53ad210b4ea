/**
 * Observation records (what a run observed after its writes): read back with the run's records, in
 * every segment that holds them, never counted as pending, refused when they carry a credential. In memory
 * (memory-fs.ts): what is tested is the journal's logic, not the disk.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../../src-main/journal/journal';
import type { JournalRecordInput } from '../../../../src-main/ipc/contract';
import { MemoryJournalFs } from './memory-fs';

const intent = (opId: string, runId: string): JournalRecordInput => ({
  kind: 'intent',
  opId,
  runId,
  objectType: 'contact',
  objectId: `obj-${opId}`,
  action: 'rollback',
  request: { method: 'PATCH', url: `/contacts/obj-${opId}/onPremisesSyncBehavior`, body: { isCloudManaged: false } },
});
const result = (opId: string): JournalRecordInput => ({ kind: 'result', opId, outcome: 'done', verified: true });
const observation = (runId: string, n: number, data: unknown = { n }): JournalRecordInput => ({
  kind: 'observation',
  opId: `${runId}/bulkServerCycle/g${n}/0`,
  runId,
  topic: 'bulkServerCycle',
  data,
});

describe('Journal observation records', () => {
  const dir = '/data';
  let fs: MemoryJournalFs;
  beforeEach(() => {
    fs = new MemoryJournalFs();
  });

  it("are read with their run (and only their run's), oldest first", async () => {
    const j = new Journal(dir, 't', { fs });
    await j.appendMany([intent('a1', 'run-a'), intent('b1', 'run-b')]);
    await j.appendMany([result('a1'), result('b1'), observation('run-a', 1), observation('run-b', 1)]);
    await j.append(observation('run-a', 2));
    const { records } = await j.read({ runId: 'run-a' });
    expect(records.map((r) => `${r.kind}:${r.opId}`)).toEqual([
      'intent:a1',
      'result:a1',
      'observation:run-a/bulkServerCycle/g1/0',
      'observation:run-a/bulkServerCycle/g2/0',
    ]);
    await j.close();
  });

  it('are never pending and never close an intent', async () => {
    const j = new Journal(dir, 't', { fs });
    await j.append(intent('x', 'run-x'));
    // an observation that happens to share the intent's opId must not end it
    await j.append({ ...observation('run-x', 1), opId: 'x' });
    expect((await j.pending()).map((p) => p.opId)).toEqual(['x']);
    await j.close();
    const again = new Journal(dir, 't', { fs });
    expect((await again.pending()).map((p) => p.opId)).toEqual(['x']);
    await again.close();
  });

  it('are found by run id in sealed segments after a restart (the index lists their run)', async () => {
    const j = new Journal(dir, 't', { fs, segmentBytes: 200 });
    await j.append(intent('a1', 'run-a'));
    await j.append(result('a1'));
    for (let n = 1; n <= 5; n++) await j.append(observation('run-obs', n, { n, pad: 'x'.repeat(200) }));
    await j.append(intent('z', 'run-z'));
    await j.close();
    const again = new Journal(dir, 't', { fs, segmentBytes: 200 });
    const { records } = await again.read({ runId: 'run-obs' });
    expect(records.map((r) => (r.kind === 'observation' ? (r.data as { n: number }).n : -1))).toEqual([1, 2, 3, 4, 5]);
    expect((await again.read({ runId: 'run-a' })).records).toHaveLength(2);
    await again.close();
  });

  it('are refused when they carry a credential, and the message names the observation', async () => {
    const j = new Journal(dir, 't', { fs });
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${'eyJzdWIiOiIxMjM0NTY3ODkwIn0'}.${'a'.repeat(43)}`;
    await expect(j.append(observation('run-s', 1, { detail: { access_token: jwt } }))).rejects.toThrow(
      /bulkServerCycle observation of run run-s/,
    );
    expect((await j.read({ runId: 'run-s' })).records).toHaveLength(0);
    await j.close();
  });

  it('need a run id and a known topic', async () => {
    const j = new Journal(dir, 't', { fs });
    await expect(j.append({ ...observation('r', 1), runId: '' } as JournalRecordInput)).rejects.toThrow(/Invalid/);
    await expect(
      j.append({ ...observation('r', 1), topic: 'somethingElse' } as unknown as JournalRecordInput),
    ).rejects.toThrow(/Invalid/);
    await j.close();
  });
});

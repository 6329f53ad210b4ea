/// <reference lib="dom" />
/**
 * The evidence of the bulk run on screen (`RunEvidence`) over fake ports: its observations reach the journal in the
 * order they were made and a failed append is said, the follow-up always ends (and tells the model) even when it
 * fails, an audit check keeps what an earlier one found and journals only what changed, and forgetting a run
 * forgets all of its evidence.
 */
import { describe, expect, it, vi } from 'vitest';
import type { JournalRecordInput, OpOutput } from '@contract';
import { RunEvidence, type RunOnScreen } from '../../../../src-renderer/bulk/run-evidence.svelte';
import type { BulkPorts } from '../../../../src-renderer/bulk/bulk-ports';
import type { AuditReadPort, JournalPort, RunSummary } from '../../../../src-renderer/lib/soa/bulk';
import { item, ok, recordingClient, summary, type Answers } from './bulk-fakes';

interface Deferred {
  resolve(): void;
  reject(e: Error): void;
}

/** A journal port whose appends wait until the test settles them, one by one. */
function heldJournal(): JournalPort & { appended: JournalRecordInput[][]; held: Deferred[] } {
  const appended: JournalRecordInput[][] = [];
  const held: Deferred[] = [];
  return {
    appended,
    held,
    append(records) {
      appended.push(records);
      return new Promise<void>((resolve, reject) => held.push({ resolve, reject }));
    },
    readRun: () => Promise.resolve([]),
  };
}

/** Lets every promise that can settle now settle. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function evidenceOf(
  run: RunSummary | undefined,
  ports: { journal?: JournalPort; audit?: AuditReadPort } = {},
  answers: Answers = {},
): { evidence: RunEvidence; screen: RunOnScreen & { problems: string[]; followUpEnded: ReturnType<typeof vi.fn> } } {
  const problems: string[] = [];
  const screen = {
    problems,
    runId: () => run?.runId,
    summary: () => run,
    plan: () => undefined,
    kind: () => 'transfer' as const,
    objectType: () => 'contact' as const,
    // as the model does: a throw becomes the view's problem
    async task<T>(_label: string, title: string, fn: () => Promise<T>): Promise<T | undefined> {
      try {
        return await fn();
      } catch (e) {
        problems.push(`${title} ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    },
    setBusy: () => undefined,
    followUpEnded: vi.fn(),
  };
  const unused = (): never => {
    throw new Error('not used by this test');
  };
  const allPorts = {
    graph: { sendBatch: unused },
    session: {},
    server: { runSyncCycle: unused, events6956: unused, traceObjects: unused },
    journal: ports.journal ?? { append: () => Promise.resolve(), readRun: () => Promise.resolve([]) },
    audit: ports.audit ?? { readWindow: unused },
  } as unknown as BulkPorts;
  return { evidence: new RunEvidence(recordingClient(answers), allPorts, screen), screen };
}

const contactInAd = (id: string): OpOutput<'server.findOnPremContact'>['matches'][number] => ({
  distinguishedName: `CN=${id},OU=Contacts,DC=contoso,DC=com`,
  objectGuid: `guid-${id}`,
  displayName: `Contact ${id}`,
  mail: `${id}@contoso.com`,
  description: null,
});

const observation = (topic: string): JournalRecordInput => ({
  kind: 'observation',
  opId: `obs-${topic}`,
  runId: 'transfer-1',
  topic: 'bulkServerCycle',
  data: { topic },
});

describe('RunEvidence', () => {
  it('appends observations one set after another: the second waits until the first is durable', async () => {
    const journal = heldJournal();
    const { evidence } = evidenceOf(summary('transfer-1', [item('c1')]), { journal });
    const first = evidence.journal([observation('a')]);
    const second = evidence.journal([observation('b')]);
    await settle();
    expect(journal.appended.map((r) => r[0]?.opId)).toEqual(['obs-a']);
    journal.held[0]?.resolve();
    await first;
    await settle();
    expect(journal.appended.map((r) => r[0]?.opId)).toEqual(['obs-a', 'obs-b']);
    journal.held[1]?.resolve();
    await second;
    expect(evidence.journalProblem).toBeUndefined();
  });

  it('a failed append is said (a reload would not show it), and the observations after it are still journaled', async () => {
    const journal = heldJournal();
    const { evidence } = evidenceOf(summary('transfer-1', [item('c1')]), { journal });
    const first = evidence.journal([observation('a')]);
    const second = evidence.journal([observation('b')]);
    await settle();
    journal.held[0]?.reject(new Error('disk full'));
    await first;
    expect(evidence.journalProblem).toContain('Evidence of run transfer-1 was observed but not journaled (disk full)');
    await settle();
    expect(journal.appended).toHaveLength(2);
    journal.held[1]?.resolve();
    await second;
  });

  it('a follow-up that fails still ends: not syncing, its signal gone, the model told once, after the journal writes', async () => {
    const journal = heldJournal();
    let during: { syncing: boolean; signal: boolean } | undefined;
    const { evidence, screen } = evidenceOf(
      summary('transfer-1', [item('c1')]),
      { journal },
      {
        // the contact is found in AD, then the bridge call for the server's connectors throws
        'server.findOnPremContacts': () =>
          ok({ results: [{ key: 'c1', matches: [contactInAd('c1')] }], via: 'activeDirectory' }),
        'server.adConnectors': () => {
          during = { syncing: evidence.syncing, signal: evidence.signal !== undefined };
          throw new Error('the bridge is gone');
        },
      },
    );
    // an observation still on its way to the journal when the follow-up fails
    void evidence.journal([observation('a')]);
    const followUp = evidence.syncAndSweep();
    await settle();
    expect(during).toEqual({ syncing: true, signal: true });
    expect(screen.problems).toEqual(['The sync follow-up or the sweep did not finish. the bridge is gone']);
    expect(screen.followUpEnded).not.toHaveBeenCalled();
    journal.held[0]?.resolve();
    await followUp;
    expect(screen.followUpEnded).toHaveBeenCalledTimes(1);
    expect(evidence.syncing).toBe(false);
    expect(evidence.signal).toBeUndefined();
  });

  it('an audit check keeps what an earlier check found, adds its queries, and journals only what changed', async () => {
    const journal = heldJournal();
    const audit: AuditReadPort = {
      readWindow: () =>
        Promise.resolve({
          ok: false,
          requestId: 'req-1',
          error: { kind: 'server', status: 503, code: 'ServiceUnavailable', message: 'Audit log unavailable.' },
        }),
    };
    const run = summary('transfer-1', [
      item('c1', { finishedAt: '2026-12-01T10:01:00.000Z' }),
      item('c2', { finishedAt: '2026-12-01T10:02:00.000Z' }),
    ]);
    const { evidence } = evidenceOf(run, { journal, audit });
    const found = {
      status: 'found' as const,
      eventId: 'e1',
      activityDisplayName: 'Update contact',
      activityDateTime: '2026-12-01T10:01:00.000Z',
      initiatedBy: 'admin@contoso.com',
    };
    evidence.auditConfirmations.set('c1', found);
    evidence.auditQueries = [
      { window: { from: 'a', to: 'b' }, request: 'earlier', status: 200, requestId: null, entries: 1 },
    ];
    const check = evidence.checkAudit();
    await settle();
    journal.held[0]?.resolve();
    await check;
    expect(evidence.auditChecked).toBe(true);
    expect(evidence.auditConfirmations.get('c1')).toEqual(found);
    expect(evidence.auditConfirmations.get('c2')?.status).toBe('notYetVisible');
    expect(evidence.auditQueries.map((q) => q.request)).toEqual(['earlier', '']);
    expect(evidence.auditProblem).toBe(
      'Audit log unavailable. The read-back evidence stands; check the audit log again once this is fixed.',
    );
    const data = journal.appended[0]?.[0] as { data: { confirmations: { objectId: string }[]; problem?: string } };
    expect(data.data.confirmations.map((c) => c.objectId)).toEqual(['c2']);
    expect(data.data.problem).toBe(evidence.auditProblem);
  });

  it('forgetting the run on screen forgets all of its evidence', () => {
    const { evidence } = evidenceOf(summary('transfer-1', [item('c1')]));
    evidence.restore({
      runId: 'transfer-1',
      serverObservations: new Map([['c1', { objectId: 'c1' } as never]]),
      auditConfirmations: new Map([['c1', { status: 'notYetVisible', checkedAt: 'x' }]]),
      auditChecked: true,
      auditQueries: [{ window: { from: 'a', to: 'b' }, request: 'r', status: 200, requestId: null, entries: 0 }],
      auditProblem: 'p',
      followUpCycles: [{ cycle: 1, pending: 1, headline: 'h', at: 'x' }],
      syncOutcome: 'o',
      dnMissing: [{ objectId: 'c1', reason: 'r' }],
      sweep: { events: [] } as never,
      unreadable: 2,
    });
    expect(evidence.journalProblem).toBe('2 journaled observation(s) of this run could not be read and are not shown.');
    evidence.clear();
    expect({
      syncOutcome: evidence.syncOutcome,
      sweep: evidence.sweep,
      serverObservations: evidence.serverObservations.size,
      auditConfirmations: evidence.auditConfirmations.size,
      auditChecked: evidence.auditChecked,
      auditQueries: evidence.auditQueries,
      auditProblem: evidence.auditProblem,
      followUpCycles: evidence.followUpCycles,
      dnMissing: evidence.dnMissing,
      journalProblem: evidence.journalProblem,
    }).toEqual({
      syncOutcome: undefined,
      sweep: undefined,
      serverObservations: 0,
      auditConfirmations: 0,
      auditChecked: false,
      auditQueries: [],
      auditProblem: undefined,
      followUpCycles: [],
      dnMissing: [],
      journalProblem: undefined,
    });
  });
});

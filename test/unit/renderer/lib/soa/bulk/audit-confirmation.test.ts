/**
 * Audit-log confirmation of a bulk run by time-window queries: the windows, the matching of entries to
 * objects (and what must NOT match), and the real queries against the lab's audit log under each
 * spelling of the transfer and the undo activity.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../../../../../src-main/lab/index';
import { createHttpsFetch } from '../../../../../../src-main/auth/https-fetch';
import {
  createGraphSession,
  listSoaAuditEventsInWindow,
  setCloudManaged,
  SOA_ACTIVITY,
  type GraphSession,
  type SoaAuditEvent,
} from '../../../../../../src-renderer/lib/graph/index';
import { ok } from '../../../../../../src-renderer/lib/graph/graph-result';
import {
  auditObjectsOf,
  auditWindows,
  confirmByAudit,
  matchAuditEntries,
  type AuditObject,
  type AuditReadPort,
} from '../../../../../../src-renderer/lib/soa/bulk/audit-confirmation';
import { auditDetail, summariseLevels } from '../../../../../../src-renderer/lib/soa/bulk/evidence-levels';
import type { ItemResult } from '../../../../../../src-renderer/lib/soa/bulk/pipeline';

const T = (s: number): string => new Date(Date.UTC(2026, 11, 1, 12, 0, 0) + s * 1000).toISOString();

function entry(id: string, target: string, name: string, at: string): SoaAuditEvent {
  const action = SOA_ACTIVITY.transfer.some((n) => n === name) ? 'transfer' : 'rollback';
  return { id, activityDisplayName: name, activityDateTime: at, targetResources: [{ id: target }], action };
}

describe('audit windows', () => {
  it('covers every span with the slack, merges overlaps and cuts long spans into pieces', () => {
    const w = auditWindows(
      [
        { from: T(0), to: T(60) },
        { from: T(30), to: T(90) },
        { from: T(10_000), to: T(10_010) },
      ],
      { slackMs: 10_000, maxWindowMs: 60_000 },
    );
    expect(w).toEqual([
      { from: T(-10), to: T(50) },
      { from: T(50), to: T(100) },
      { from: T(9_990), to: T(10_020) },
    ]);
  });

  it('has no window when there is no object', () => {
    expect(auditWindows([])).toEqual([]);
  });
});

describe('matching entries to objects', () => {
  const objects: AuditObject[] = [
    { objectId: 'a', from: T(0), to: T(100) },
    { objectId: 'b', from: T(0), to: T(100) },
  ];

  it('matches either spelling of the action by target id inside the span', () => {
    const m = matchAuditEntries(
      'transfer',
      [entry('1', 'a', SOA_ACTIVITY.transfer[0], T(50)), entry('2', 'B', SOA_ACTIVITY.transfer[1], T(60))],
      objects,
      0,
    );
    expect(m.get('a')).toMatchObject({ status: 'found', eventId: '1' });
    expect(m.get('b')).toMatchObject({ status: 'found', eventId: '2' });
  });

  it('does not match the other action, another object, or an entry outside the span', () => {
    const m = matchAuditEntries(
      'rollback',
      [
        entry('1', 'a', SOA_ACTIVITY.transfer[0], T(50)), // a transfer entry does not confirm a rollback
        entry('2', 'c', SOA_ACTIVITY.rollback[0], T(50)), // another object
        entry('3', 'b', SOA_ACTIVITY.rollback[1], T(-200)), // before the run
        entry('4', 'b', SOA_ACTIVITY.rollback[0], T(300)), // after the object's result
      ],
      objects,
      60_000,
    );
    expect(m.size).toBe(0);
  });

  it('keeps earlier matches, reports "not yet visible", and says when the audit log could not be read', async () => {
    let calls = 0;
    const port: AuditReadPort = {
      readWindow: async () => {
        calls++;
        return calls === 1
          ? ok({ events: [entry('1', 'a', SOA_ACTIVITY.transfer[1], T(20))], request: 'GET …', pages: 1 }, 200, 'r1')
          : {
              ok: false,
              requestId: 'r2',
              error: {
                kind: 'forbidden',
                status: 403,
                code: 'Authorization_RequestDenied',
                message: 'denied',
                missingScopes: [],
                fix: 'Activate a reader role.',
              },
            };
      },
    };
    const first = await confirmByAudit(port, 'transfer', objects, { slackMs: 0, now: () => Date.parse(T(200)) });
    expect(first.byObject.get('a')).toMatchObject({ status: 'found' });
    expect(first.byObject.get('b')).toEqual({ status: 'notYetVisible', checkedAt: T(200) });
    expect(first.queries).toHaveLength(1);
    const second = await confirmByAudit(port, 'transfer', objects, { slackMs: 0, earlier: first.byObject });
    expect(second.error).toMatchObject({ kind: 'forbidden', fix: 'Activate a reader role.' });
    expect(second.byObject.get('a')).toMatchObject({ status: 'found', eventId: '1' });
    expect(second.byObject.get('b')?.status).toBe('notYetVisible');
  });

  it('looks only at written objects: a skipped object (already in its state) has no entry to find', () => {
    const base = {
      opId: 'o',
      objectType: 'contact' as const,
      action: 'transfer' as const,
      attempts: 1,
      fromJournal: false,
    };
    const items: ItemResult[] = [
      { ...base, objectId: 'w', outcome: 'verified', written: true, writeStatus: 204, finishedAt: T(10) },
      { ...base, objectId: 's', outcome: 'skipped', written: false },
    ];
    expect(auditObjectsOf({ startedAt: T(0), finishedAt: T(20) }, items).map((o) => o.objectId)).toEqual(['w']);
  });
});

describe('the headline states the audit entries beside the level, never instead of it', () => {
  const base = {
    opId: 'o',
    objectType: 'contact' as const,
    action: 'rollback' as const,
    attempts: 1,
    fromJournal: false,
  };
  const items: ItemResult[] = [
    { ...base, objectId: 'a', outcome: 'verified', written: true, writeStatus: 204 },
    { ...base, objectId: 'b', outcome: 'verified', written: true, writeStatus: 204 },
  ];

  it('counts the entries found, and a found entry does not make a rollback complete', () => {
    const audit = new Map([
      [
        'a',
        {
          status: 'found' as const,
          eventId: '1',
          activityDisplayName: SOA_ACTIVITY.rollback[0],
          activityDateTime: T(1),
          initiatedBy: 'x@y',
        },
      ],
      ['b', { status: 'notYetVisible' as const, checkedAt: T(2) }],
    ]);
    const s = summariseLevels('rollback', items, new Map(), audit);
    expect(s.level).toBe('cloudVerified');
    expect(s.complete).toBe(false);
    expect(s.audit).toEqual({ found: 1, checked: 2 });
    expect(s.headline).toContain('Audit log: the undo entry was found for 1 of 2 written objects');
    expect(s.headline).not.toMatch(/Complete/);
    expect(auditDetail(s.objects[0]?.audit)).toMatch(/^Found: "Undo changes/);
    expect(auditDetail(s.objects[1]?.audit)).toMatch(/^Not yet visible/);
  });

  it('says nothing about the audit log when it was not checked', () => {
    const s = summariseLevels('rollback', items, new Map());
    expect(s.audit).toBeUndefined();
    expect(s.headline).not.toMatch(/Audit/);
  });
});

describe('against the lab audit log (each spelling of each activity)', () => {
  type Lab = Awaited<ReturnType<typeof startLab>>;
  let lab: Lab;
  let g: GraphSession;
  let offset = 0;

  beforeAll(async () => {
    lab = await startLab({ seed: 11, speed: 'fast', contacts: 40 });
    const fetchLab = createHttpsFetch({ extraCa: [readFileSync(lab.info.caCertPath, 'utf8')] });
    const upn = lab.info.admins.find((a) => a.upn.startsWith('hybrid.admin@'))?.upn ?? '';
    g = createGraphSession({
      baseUrl: lab.info.graphBaseUrl,
      customHosts: [new URL(lab.info.graphBaseUrl).hostname],
      fetch: fetchLab,
      tokenSource: (scopes) => lab.mintToken(upn, scopes),
    });
  });
  afterAll(async () => {
    await lab?.close();
  });

  const port = (): AuditReadPort => ({ readWindow: (q) => listSoaAuditEventsInWindow(g, q) });
  const synced = () =>
    lab
      .tenant()
      .objectsOf('contact')
      .filter((c) => c.onPremisesSyncEnabled === true && !c.isCloudManaged);

  for (const [i, [change, undo]] of [
    [SOA_ACTIVITY.transfer[0], SOA_ACTIVITY.rollback[0]],
    [SOA_ACTIVITY.transfer[1], SOA_ACTIVITY.rollback[1]],
  ].entries()) {
    it(`finds each object's entry for the transfer and the undo ("${change}" / "${undo}")`, async () => {
      await lab.updateSettings({
        auditChangeActivityName: change,
        auditUndoActivityName: undo,
        auditIngestionMs: 5 * 60_000,
      });
      const picked = synced().slice(0, 6);
      const untouched = synced()[6];
      if (picked.length < 6 || !untouched) throw new Error('seed has too few synced contacts');
      const span = async (run: () => Promise<void>): Promise<{ from: string; to: string }> => {
        const from = new Date(lab.clock.now()).toISOString();
        await run();
        return { from, to: new Date(lab.clock.now()).toISOString() };
      };
      const objects = (s: { from: string; to: string }): AuditObject[] => [
        ...picked.map((c) => ({ objectId: c.id, ...s })),
        { objectId: untouched.id, ...s },
      ];
      const transfer = await span(async () => {
        for (const c of picked) expect((await setCloudManaged(g, 'contact', c.id, true)).ok).toBe(true);
      });
      // before ingestion: nothing is claimed
      const early = await confirmByAudit(port(), 'transfer', objects(transfer), { slackMs: 1000 });
      expect(early.error).toBeUndefined();
      expect([...early.byObject.values()].every((a) => a.status === 'notYetVisible')).toBe(true);

      offset += 60 * 60_000 * (i + 1);
      lab.setClockOffset(offset);
      const rollback = await span(async () => {
        for (const c of picked) expect((await setCloudManaged(g, 'contact', c.id, false)).ok).toBe(true);
      });
      offset += lab.settings().auditIngestionMs + 1000;
      lab.setClockOffset(offset);

      const t = await confirmByAudit(port(), 'transfer', objects(transfer), { slackMs: 1000 });
      for (const c of picked)
        expect(t.byObject.get(c.id)).toMatchObject({ status: 'found', activityDisplayName: change });
      expect(t.byObject.get(untouched.id)?.status).toBe('notYetVisible');
      expect(t.queries.length).toBeGreaterThan(0);
      expect(t.queries[0]?.request).toMatch(/activityDateTime ge .* and activityDateTime le .* and startswith/);

      const u = await confirmByAudit(port(), 'rollback', objects(rollback), { slackMs: 1000 });
      for (const c of picked)
        expect(u.byObject.get(c.id)).toMatchObject({ status: 'found', activityDisplayName: undo });
      expect(u.byObject.get(untouched.id)?.status).toBe('notYetVisible');
      // the transfer entries lie outside the rollback's window: an undo check never counts them
      const undoSeenAsTransfer = await confirmByAudit(port(), 'transfer', objects(rollback), { slackMs: 1000 });
      expect([...undoSeenAsTransfer.byObject.values()].every((a) => a.status === 'notYetVisible')).toBe(true);
    });
  }
});

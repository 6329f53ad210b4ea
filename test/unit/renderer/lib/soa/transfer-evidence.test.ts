/**
 * What each transfer step (steps 3–9 and the AD restore) puts into the evidence report, word for word: the
 * step's title, purpose and expectation, the exact request records, the notes, the proof record and the observed
 * sentence; and the journal records of the proof writes (another admin's account included). The report is what
 * an admin reads to trust a verdict, so a changed or dropped sentence must fail a test. Fakes only: no lab.
 */
import { describe, expect, it } from 'vitest';
import type { GraphCall, GraphSession } from '../../../../../src-renderer/lib/graph/graph-client';
import type { GraphError } from '../../../../../src-renderer/lib/graph/graph-result';
import type { FlowPorts, Ipc } from '../../../../../src-renderer/lib/soa/ports';
import { stepRollbackPatch } from '../../../../../src-renderer/lib/soa/rollback';
import {
  restoreAdDescription,
  stepProveAdBlocked,
  stepProveReadOnly,
  stepProveWritable,
  stepSyncFirst,
  stepTransfer,
  stepVerifyCloud,
  stepVerifyServer,
  type AdProbe,
} from '../../../../../src-renderer/lib/soa/transfer';
import type { ContactTarget } from '../../../../../src-renderer/lib/soa/verify';
import { fakeGraph, fakeIpc, forbidden, networkError, ports, throttled, type Route } from './fakes';

const DN = 'CN=Alex Wilber,OU=Contacts,DC=contoso,DC=com';
const target: ContactTarget = { id: 'c1', displayName: 'Alex Wilber', mail: 'alex@fabrikam.com', dn: DN };
/** The recording clock's time: it only moves on a sleep. */
const T0 = new Date(1_700_000_000_000).toISOString();
const URL = 'https://graph.test/v1.0/contacts/c1';
const GET_BEHAVIOUR = `GET ${URL}/onPremisesSyncBehavior?$select=isCloudManaged`;
const GET_CONTACT = `GET ${URL}?$select=id,displayName,mail,onPremisesSyncEnabled,onPremisesLastSyncDateTime`;
const READ_ONLY_MESSAGE =
  'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.';
const NOT_PROVABLE = 'cannot be proven by a write with your roles';
const NO_ROLE_403 =
  'Graph refused the write with 403 Authorization_RequestDenied: your roles (or the app’s permission) do not allow updating contacts. Not provable by a write — this does not mean the contact is writable or read-only.';
const UA = 'ua@contoso.com';
const AS_UA = ` (sent as ${UA}, signed in for this proof only)`;

const badRequest = (code: string, message = READ_ONLY_MESSAGE): GraphError => ({
  kind: 'badRequest',
  status: 400,
  code,
  message,
});

/** The SOA reads answer `icm` / `enabled`; a PATCH answers `patch`; the contact GET may fail (`contact: 'error'`). */
function contactRoute(
  icm: boolean,
  enabled: boolean | null | 'error',
  patch: { status: number } | GraphError = { status: 204 },
): Route {
  return (c) => {
    if (c.method === 'PATCH') return patch;
    if (c.path.endsWith('/onPremisesSyncBehavior')) return { status: 200, body: { isCloudManaged: icm } };
    if (enabled === 'error') return networkError;
    return { status: 200, body: { id: 'c1', displayName: 'Alex Wilber', onPremisesSyncEnabled: enabled } };
  };
}

/** An IPC whose `call` of `name` answers with `error` (a typed IPC error, as main sends it). */
function failingCall(ipc: Ipc, name: string, error: { code: string; message: string }): Ipc {
  const call = (async (n: string, input: unknown) =>
    n === name ? { ok: false, error } : ipc.call(n as never, input as never)) as unknown as Ipc['call'];
  return { ...ipc, call };
}

/** A journal record as the fake stores it (seq, time and tenant added). */
const stored = (record: Record<string, unknown>, seq: number) => ({
  ...record,
  seq,
  at: expect.any(String),
  tenant: 't',
});

const withTuning = (p: FlowPorts, tuning: Partial<FlowPorts['tuning']>): FlowPorts => ({
  ...p,
  tuning: { ...p.tuning, ...tuning },
});

describe('step 3 (sync first): the evidence', () => {
  it('names the step and lists each run profile with its result', async () => {
    const f = fakeIpc({
      'server.runSyncCycle': () => ({
        status: 'completed',
        cycle: {
          t0: 't0',
          finishedAt: 't1',
          runs: [
            { connectorName: 'contoso.com', runProfileName: 'Delta Import', result: 'success' },
            { connectorName: 'tenant', runProfileName: 'Export', result: 'success' },
          ],
          allSucceeded: true,
        },
      }),
    });
    const r = await stepSyncFirst(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
    );
    expect(r.step).toMatchObject({
      id: 'sync',
      title: 'Sync first',
      purpose:
        'Run a delta sync cycle on the Connect Sync server and wait for it, so the cloud object reflects AD before the transfer.',
      expected: 'The cycle completes; every run profile reports success.',
      verdict: 'pass',
      observed: 'Cycle t0 → t1. contoso.com Delta Import: success; tenant Export: success',
    });
  });

  it('says so when the cycle reported no runs', async () => {
    const f = fakeIpc({
      'server.runSyncCycle': () => ({
        status: 'completed',
        cycle: { t0: 't0', finishedAt: 't1', runs: [], allSucceeded: true },
      }),
    });
    const r = await stepSyncFirst(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
    );
    expect(r.step.observed).toBe('Cycle t0 → t1. No runs reported.');
  });

  it('a failed call with the busy code is busy (the admin may wait); another code is not', async () => {
    const f = fakeIpc();
    const busy = await stepSyncFirst(
      ports(
        failingCall(f.ipc, 'server.runSyncCycle', { code: 'busy', message: 'A sync cycle is running.' }),
        fakeGraph(() => ({ status: 200 })),
      ),
    );
    expect(busy).toMatchObject({ completed: false, busy: true });
    expect(busy.step.verdict).toBe('fail');
    expect(busy.step.observed).toBe('The sync cycle did not complete: A sync cycle is running.');
    const other = await stepSyncFirst(
      ports(
        failingCall(f.ipc, 'server.runSyncCycle', { code: 'timeout', message: 'no answer' }),
        fakeGraph(() => ({ status: 200 })),
      ),
    );
    expect(other).toMatchObject({ completed: false, busy: false });
  });
});

describe('step 4 (synced and read-only): the evidence', () => {
  const STATE = 'isCloudManaged = false; onPremisesSyncEnabled = true';

  it('by write, the documented 400: every record of the step', async () => {
    const f = fakeIpc();
    const r = await stepProveReadOnly(
      ports(f.ipc, fakeGraph(contactRoute(false, true, badRequest('Request_BadRequest')))),
      target,
    );
    expect(r.step).toEqual({
      id: 'readonly',
      title: 'Prove it is synced and read-only',
      purpose:
        'Read isCloudManaged and onPremisesSyncEnabled, then send a write of the current display name (a no-op if it were allowed). Nothing changes.',
      startedAt: T0,
      finishedAt: T0,
      expected:
        'isCloudManaged = false and onPremisesSyncEnabled = true, and Graph refuses the write with 400 Request_BadRequest.',
      requests: [
        expect.objectContaining({ label: GET_BEHAVIOUR }),
        expect.objectContaining({ label: GET_CONTACT }),
        {
          kind: 'graph',
          label: `PATCH ${URL}`,
          body: { displayName: 'Alex Wilber' },
          at: T0,
          status: 400,
          requestId: 'rid-4',
          response: { error: 'Request_BadRequest', message: READ_ONLY_MESSAGE },
        },
      ],
      observed: `${STATE}; write refused: 400 Request_BadRequest: "${READ_ONLY_MESSAGE}"`,
      verdict: 'pass',
      notes: [],
      proof: { by: 'write', summary: `Graph refused the write: 400 Request_BadRequest: "${READ_ONLY_MESSAGE}".` },
    });
    expect(r).toMatchObject({ ok: true, readOnly: true, verdict: { kind: 'readOnly' } });
    expect(r).not.toHaveProperty('opId');
    expect(f.journal).toEqual([]);
  });

  it('by state: no write, the note and the proof say why', async () => {
    const calls: GraphCall[] = [];
    const r = await stepProveReadOnly(ports(fakeIpc().ipc, fakeGraph(contactRoute(false, true), calls)), target, {
      proof: 'state',
    });
    const why = `Not proven by a write: this ${NOT_PROVABLE} (no role that may update contacts, or the admin chose the state evidence).`;
    expect(r.step).toMatchObject({
      purpose: 'Read isCloudManaged and onPremisesSyncEnabled. No write is sent: the state is the evidence.',
      expected: 'isCloudManaged = false and onPremisesSyncEnabled = true (state evidence).',
      notes: [`The read-only proof ${NOT_PROVABLE}; it uses the state evidence (no write was sent).`],
      proof: {
        by: 'state',
        summary: `${why} State evidence: ${STATE} — synced from AD DS, so read-only in the cloud.`,
      },
      observed: `${STATE}. ${why}`,
      verdict: 'pass',
    });
    expect(r).toMatchObject({ ok: true, readOnly: null, verdict: null });
    expect(calls.map((c) => c.method)).toEqual(['GET', 'GET']);
  });

  it('by state, the contact could not be read: the read error is a note and the state is NOT the synced one', async () => {
    const r = await stepProveReadOnly(ports(fakeIpc().ipc, fakeGraph(contactRoute(false, 'error'))), target, {
      proof: 'state',
    });
    expect(r.step.notes).toEqual([
      'no response (socket hang up) — x',
      `The read-only proof ${NOT_PROVABLE}; it uses the state evidence (no write was sent).`,
    ]);
    expect(r.step.proof?.summary).toMatch(
      /State evidence: isCloudManaged = false; onPremisesSyncEnabled = null — NOT the synced state\.$/,
    );
    expect(r.step.verdict).toBe('fail');
  });

  it('an undocumented 400 on a synced contact: the raw answer is quoted, probably read-only', async () => {
    const r = await stepProveReadOnly(
      ports(fakeIpc().ipc, fakeGraph(contactRoute(false, true, badRequest('Request_Other', 'nope')))),
      target,
    );
    expect(r.step.proof).toEqual({
      by: 'write',
      summary:
        'Graph refused the write with an answer no public source documents: probably read-only (unrecognised message). Raw answer: 400 Request_Other: "nope".',
    });
    expect(r.step.observed).toBe(`${STATE}; probably read-only (unrecognised message): 400 Request_Other: "nope"`);
    expect(r).toMatchObject({ readOnly: true, ok: true });
  });

  it('an accepted write: the PATCH record says accepted and the contact is not read-only', async () => {
    const r = await stepProveReadOnly(ports(fakeIpc().ipc, fakeGraph(contactRoute(false, true))), target);
    expect(r.step.requests[2]).toMatchObject({ status: 204, response: { accepted: true } });
    expect(r.step.proof).toEqual({
      by: 'write',
      summary: 'Graph ACCEPTED the no-op write: the contact is not read-only.',
    });
    expect(r.step.observed).toBe(`${STATE}; write ACCEPTED (the object is not read-only)`);
    expect(r.step.verdict).toBe('fail');
    expect(r).toMatchObject({ readOnly: false, ok: false });
  });

  it('a 404: refused, quoted, readOnly unknown', async () => {
    const gone: GraphError = { kind: 'notFound', status: 404, code: 'Request_ResourceNotFound', message: 'gone' };
    const r = await stepProveReadOnly(ports(fakeIpc().ipc, fakeGraph(contactRoute(false, true, gone))), target);
    expect(r.step.proof).toEqual({
      by: 'write',
      summary: 'Graph refused the write: 404 Request_ResourceNotFound: "gone".',
    });
    expect(r.step.observed).toBe(`${STATE}; write refused: 404 Request_ResourceNotFound: "gone"`);
  });

  it('a 403: the reason is a note and the step rests on the state evidence', async () => {
    const r = await stepProveReadOnly(ports(fakeIpc().ipc, fakeGraph(contactRoute(false, true, forbidden))), target);
    expect(r.step.notes).toEqual([NO_ROLE_403]);
    expect(r.step.observed).toBe(`${STATE}. Not provable by a write: ${NO_ROLE_403}`);
    expect(r.step.proof?.by).toBe('state');
  });

  it('a probe that could not read the name: the PATCH record shows the failed read, the note says why', async () => {
    const route: Route = (c) => (c.query?.$select === 'id,displayName' ? networkError : contactRoute(true, null)(c));
    const r = await stepProveReadOnly(ports(fakeIpc().ipc, fakeGraph(route)), target);
    expect(r.step.requests[2]).toEqual({
      kind: 'graph',
      label: `PATCH ${URL}`,
      body: { displayName: 'Alex Wilber' },
      at: T0,
      status: 0,
      requestId: 'rid-3',
      response: { error: 'network', message: 'socket hang up' },
    });
    expect(r.step.notes).toEqual(['The write probe could not run: no response (socket hang up) — x.']);
    expect(r.step.observed).toBe(
      'isCloudManaged = true; onPremisesSyncEnabled = null. The write probe could not run (the current name could not be read).',
    );
  });
});

describe('step 4 with another admin for the proof write', () => {
  const run = async (writerRoute: Route, runId?: string) => {
    const f = fakeIpc();
    const mainCalls: GraphCall[] = [];
    const writerCalls: GraphCall[] = [];
    const writer = { graph: fakeGraph(writerRoute, writerCalls), username: UA };
    const r = await stepProveReadOnly(ports(f.ipc, fakeGraph(contactRoute(false, true), mainCalls)), target, {
      proof: 'write',
      writer,
      ...(runId ? { runId } : {}),
    });
    return { r, journal: f.journal, mainCalls, writerCalls };
  };
  const intent = {
    kind: 'intent',
    opId: 'op-1',
    objectType: 'contact',
    objectId: 'c1',
    displayName: 'Alex Wilber',
    action: 'displayName',
    actor: UA,
    before: { displayName: 'Alex Wilber' },
    request: { method: 'PATCH', url: URL, body: { displayName: 'Alex Wilber' } },
  };

  it('refused: the PATCH goes out as the other admin, journaled before and after, and the evidence names them', async () => {
    const { r, journal, mainCalls, writerCalls } = await run(() => badRequest('Request_BadRequest'), 'run-1');
    expect(writerCalls.map((c) => `${c.method} ${c.path}`)).toEqual(['PATCH /contacts/c1']);
    expect(mainCalls.some((c) => c.method === 'PATCH')).toBe(false);
    expect(journal).toEqual([
      stored({ ...intent, runId: 'run-1' }, 1),
      stored(
        {
          kind: 'result',
          opId: 'op-1',
          outcome: 'failed',
          verified: false,
          status: 400,
          requestId: 'rid-1',
          reason: `Refused (the read-only proof, as ${UA}): 400 Request_BadRequest: "${READ_ONLY_MESSAGE}"`,
        },
        2,
      ),
    ]);
    expect(r.opId).toBe('op-1');
    expect(r.step.requests.slice(2)).toEqual([
      { kind: 'journal', label: `journal.append intent op-1 (read-only proof write as ${UA})`, at: T0 },
      expect.objectContaining({ label: `PATCH ${URL}${AS_UA}`, status: 400, requestId: 'rid-1' }),
    ]);
    expect(r.step.proof).toEqual({
      by: 'write',
      summary: `Graph refused the write${AS_UA}: 400 Request_BadRequest: "${READ_ONLY_MESSAGE}".`,
      account: UA,
    });
    expect(r.step.verdict).toBe('pass');
  });

  it('a refusal reason is cut to 2,000 characters in the journal', async () => {
    const { journal } = await run(() => badRequest('Request_BadRequest', 'x'.repeat(3000)));
    expect(String(journal[1]?.kind === 'result' ? journal[1].reason : '')).toHaveLength(2000);
  });

  it('accepted: the result record says so, and the proof names the account', async () => {
    const { r, journal } = await run(() => ({ status: 204 }));
    expect(journal).toEqual([
      stored(intent, 1),
      stored(
        {
          kind: 'result',
          opId: 'op-1',
          outcome: 'done',
          verified: false,
          status: 204,
          requestId: 'rid-1',
          reason: `Graph accepted the no-op write of the current name (as ${UA}): the contact is not read-only.`,
        },
        2,
      ),
    ]);
    expect(r.step.proof).toEqual({
      by: 'write',
      summary: `Graph ACCEPTED the no-op write${AS_UA}: the contact is not read-only.`,
      account: UA,
    });
  });

  it('the other admin lacks the role too (403): state evidence, saying whose write it was', async () => {
    const { r } = await run(() => forbidden);
    expect(r.step.observed).toBe(
      `isCloudManaged = false; onPremisesSyncEnabled = true. Not provable by a write${AS_UA}: ${NO_ROLE_403}`,
    );
    expect(r.step.proof?.by).toBe('state');
  });

  it('the undocumented 400 and the 404 name the other admin too', async () => {
    const other = await run(() => badRequest('Request_Other', 'nope'));
    expect(other.r.step.proof).toMatchObject({
      summary: expect.stringContaining(`Graph refused the write${AS_UA} with an answer`),
      account: UA,
    });
    const gone = await run(() => ({ kind: 'notFound', status: 404, code: 'NotFound', message: 'gone' }));
    expect(gone.r.step.proof).toEqual({
      by: 'write',
      summary: `Graph refused the write${AS_UA}: 404 NotFound: "gone".`,
      account: UA,
    });
  });
});

describe('step 5 (transfer) and the rollback PATCH: the evidence', () => {
  function behaviour(
    start: boolean,
    patches: ({ status: number } | GraphError)[],
    calls: GraphCall[] = [],
  ): GraphSession {
    let value = start;
    return fakeGraph((c) => {
      if (c.method === 'PATCH') {
        const p = patches.shift() ?? { status: 204 };
        if (!('kind' in p)) value = (c.body as { isCloudManaged: boolean }).isCloudManaged;
        return p;
      }
      return { status: 200, body: { isCloudManaged: value } };
    }, calls);
  }

  it('transfer: the step, its journal record and the exact PATCH and read-back', async () => {
    const calls: GraphCall[] = [];
    const r = await stepTransfer(ports(fakeIpc().ipc, behaviour(false, [], calls)), target);
    expect(r.step).toMatchObject({
      id: 'transfer',
      title: 'Transfer the Source of Authority',
      purpose:
        'PATCH onPremisesSyncBehavior with isCloudManaged = true. The intent is journaled (fsynced) before the request, the result after it.',
      expected: '204 No Content (or 200 with the object); reading back shows isCloudManaged = true.',
    });
    expect(r.step.requests.slice(0, 2)).toEqual([
      { kind: 'journal', label: 'journal.append intent op-1 (transfer)', at: T0 },
      expect.objectContaining({ kind: 'graph', label: `PATCH ${URL}/onPremisesSyncBehavior` }),
    ]);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'PATCH /contacts/c1/onPremisesSyncBehavior',
      'GET /contacts/c1/onPremisesSyncBehavior',
    ]);
  });

  it('rollback: its own title, purpose, expectation and journal label', async () => {
    const r = await stepRollbackPatch(ports(fakeIpc().ipc, behaviour(true, [])), target);
    expect(r.step).toMatchObject({
      id: 'rollback',
      title: 'Roll back the Source of Authority',
      purpose:
        'PATCH onPremisesSyncBehavior with isCloudManaged = false. The intent is journaled (fsynced) before the request, the result after it.',
      expected: '204 No Content (or 200); reading back shows isCloudManaged = false.',
    });
    expect(r.step.requests[0]).toEqual({ kind: 'journal', label: 'journal.append intent op-1 (rollback)', at: T0 });
  });

  it('a write sent twice (429, read back not applied, sent again) says how often it was sent', async () => {
    const r = await stepTransfer(ports(fakeIpc().ipc, behaviour(false, [throttled, { status: 204 }])), target);
    expect(r.write.sends).toBe(2);
    expect(r.step.observed).toBe('isCloudManaged = true (sent 2×; no second write once applied)');
  });

  it('accepted but the read-back refused: "not read back", a warning', async () => {
    const g = fakeGraph((c) => (c.method === 'PATCH' ? { status: 204 } : forbidden));
    const r = await stepTransfer(ports(fakeIpc().ipc, g), target);
    expect(r.step.observed).toBe('isCloudManaged = not read back');
    expect(r.step.verdict).toBe('warn');
  });

  it('failed without a Graph error (no attempt allowed): "not applied"', async () => {
    const p = withTuning(ports(fakeIpc().ipc, behaviour(false, [])), { maxWriteAttempts: 0 });
    const r = await stepTransfer(p, target);
    expect(r.step.observed).toBe('Failed: not applied');
    expect(r.step.verdict).toBe('fail');
  });
});

describe('step 6 (verify in the cloud): the evidence and when it reads again', () => {
  const run = async (route: Route) => {
    const calls: GraphCall[] = [];
    const r = await stepVerifyCloud(ports(fakeIpc().ipc, fakeGraph(route, calls)), target);
    return { r, reads: calls.length / 2 };
  };

  it('true / null: one read, the step says what it expected and saw', async () => {
    const { r, reads } = await run(contactRoute(true, null));
    expect(reads).toBe(1);
    expect(r.step).toMatchObject({
      id: 'verify-cloud',
      title: 'Verify in the cloud',
      purpose:
        'Read isCloudManaged and onPremisesSyncEnabled again; then look for the audit-log entry for this object.',
      expected: 'isCloudManaged = true and onPremisesSyncEnabled = null.',
      observed: 'isCloudManaged = true; onPremisesSyncEnabled = null',
      verdict: 'pass',
    });
  });

  it('a synced state (false / true) is read once and fails', async () => {
    const { r, reads } = await run(contactRoute(false, true));
    expect(reads).toBe(1);
    expect(r.ok).toBe(false);
    expect(r.step.verdict).toBe('fail');
  });

  it('a contact that cannot be read is not a lag: read once, fails', async () => {
    const { r, reads } = await run(contactRoute(true, 'error'));
    expect(reads).toBe(1);
    expect(r.ok).toBe(false);
  });
});

describe('step 7 (writable in the cloud): the evidence', () => {
  const NEW = 'Alex (cloud)';
  /** Graph keeps the contact's name; a PATCH changes it unless `applies` is false. */
  function named(patch: { status: number } | GraphError = { status: 204 }, applies = true, calls: GraphCall[] = []) {
    let name = 'Alex Wilber';
    return fakeGraph((c) => {
      if (c.method === 'PATCH') {
        if (applies && !('kind' in patch)) name = (c.body as { displayName: string }).displayName;
        return patch;
      }
      if (c.path.endsWith('/onPremisesSyncBehavior')) return { status: 200, body: { isCloudManaged: true } };
      return { status: 200, body: { id: 'c1', displayName: name, onPremisesSyncEnabled: null } };
    }, calls);
  }

  it('by write: the step, the journal intent, the exact PATCH and read-back, and the proof', async () => {
    const f = fakeIpc();
    const calls: GraphCall[] = [];
    const r = await stepProveWritable(ports(f.ipc, named({ status: 204 }, true, calls)), target, NEW, {
      runId: 'run-1',
    });
    expect(r.step).toMatchObject({
      id: 'writable',
      title: 'Prove it is writable in the cloud',
      purpose: 'PATCH the contact’s displayName in Graph (journaled), then read it back.',
      expected: `204 No Content; reading back shows displayName = "${NEW}".`,
      observed: `displayName = "${NEW}" (read back)`,
      verdict: 'pass',
    });
    expect(r.step.proof).toEqual({
      by: 'write',
      summary: `Graph accepted the write and displayName reads back "${NEW}".`,
    });
    expect(r.step.notes.some((n) => n.includes('sent as'))).toBe(false);
    expect(f.journal[0]).toEqual(
      stored(
        {
          kind: 'intent',
          opId: 'op-1',
          runId: 'run-1',
          objectType: 'contact',
          objectId: 'c1',
          displayName: 'Alex Wilber',
          action: 'displayName',
          before: { displayName: 'Alex Wilber' },
          request: { method: 'PATCH', url: URL, body: { displayName: NEW } },
        },
        1,
      ),
    );
    expect(calls[0]).toEqual({
      method: 'PATCH',
      path: '/contacts/c1',
      headers: { 'Content-Type': 'application/json' },
      body: { displayName: NEW },
      scopes: ['Directory.ReadWrite.All'],
    });
    expect(calls[1]).toMatchObject({ method: 'GET', path: '/contacts/c1', query: { $select: 'id,displayName' } });
  });

  it('by write with the scopes the admin was granted', async () => {
    const calls: GraphCall[] = [];
    await stepProveWritable(ports(fakeIpc().ipc, named({ status: 204 }, true, calls)), target, NEW, {
      scopes: ['OrgContact.ReadWrite.All'],
    });
    expect(calls[0]?.scopes).toEqual(['OrgContact.ReadWrite.All']);
  });

  it('by write as another admin: sent on their session, journaled with their account, named in note and proof', async () => {
    const f = fakeIpc();
    let name = 'Alex Wilber';
    const writerCalls: GraphCall[] = [];
    const writer = {
      graph: fakeGraph((c) => {
        name = (c.body as { displayName: string }).displayName;
        return { status: 204 };
      }, writerCalls),
      username: UA,
    };
    const main = fakeGraph(() => ({ status: 200, body: { id: 'c1', displayName: name } }));
    const r = await stepProveWritable(ports(f.ipc, main), target, NEW, { writer });
    expect(writerCalls.map((c) => c.method)).toEqual(['PATCH']);
    expect(f.journal[0]).toMatchObject({ kind: 'intent', actor: UA });
    expect(f.journal[0]).not.toHaveProperty('runId');
    expect(r.step.notes).toContain(`The PATCH was sent as ${UA}, signed in for this proof only.`);
    expect(r.step.proof).toEqual({
      by: 'write',
      summary: `Graph accepted the write${AS_UA} and displayName reads back "${NEW}".`,
      account: UA,
    });
  });

  it('accepted but the new name does not read back: a warning, no proof', async () => {
    const r = await stepProveWritable(ports(fakeIpc().ipc, named({ status: 204 }, false)), target, NEW);
    expect(r.write?.verified).toBe(false);
    expect(r.step.verdict).toBe('warn');
    expect(r.step.observed).toBe('Not verified by reading back.');
    expect(r.step).not.toHaveProperty('proof');
  });

  it('refused (400): no proof is recorded', async () => {
    const r = await stepProveWritable(ports(fakeIpc().ipc, named(badRequest('Request_BadRequest'))), target, NEW);
    expect(r.step.verdict).toBe('fail');
    expect(r.step).not.toHaveProperty('proof');
  });

  it('a 403: the reason is a note, and the state evidence decides, word for word', async () => {
    const r = await stepProveWritable(ports(fakeIpc().ipc, named(forbidden)), target, NEW);
    const state =
      'isCloudManaged = true; onPremisesSyncEnabled = null; no audit entry seen yet (audit ingestion is eventually consistent)';
    expect(r.step.notes).toContain(NO_ROLE_403);
    expect(r.step.observed).toBe(`${state}. Not provable by a write: ${NO_ROLE_403}`);
    expect(r.step.proof).toEqual({
      by: 'state',
      summary: `Not provable by a write: ${NO_ROLE_403} State evidence: ${state} — the cloud is the source of authority, so the contact is writable in the cloud.`,
    });
    expect(r.ok).toBe(true);
  });

  it('a 403 to another admin names them', async () => {
    const writer = { graph: fakeGraph(() => forbidden), username: UA };
    const r = await stepProveWritable(ports(fakeIpc().ipc, named()), target, NEW, { writer });
    expect(r.step.observed).toMatch(
      new RegExp(`Not provable by a write \\(sent as ${UA}, signed in for this proof only\\): `),
    );
  });

  it('by state: what it does and expects, and the note that no write was sent', async () => {
    const r = await stepProveWritable(ports(fakeIpc().ipc, named()), target, NEW, { proof: 'state' });
    expect(r.step).toMatchObject({
      purpose:
        'Read isCloudManaged and onPremisesSyncEnabled, and use the transfer’s audit entry. No write is sent: the state is the evidence.',
      expected:
        'isCloudManaged = true, onPremisesSyncEnabled not true, and the transfer’s audit entry (state evidence).',
      notes: [`The writable proof ${NOT_PROVABLE}; it uses the state evidence (no write was sent).`],
    });
    expect(r.step.observed).toMatch(
      /^isCloudManaged = true; onPremisesSyncEnabled = null; no audit entry seen yet \(audit ingestion is eventually consistent\)\. Not proven by a write: this cannot be proven by a write with your roles \(no role that may update contacts, or the admin chose the state evidence\)\.$/,
    );
  });

  it('failed without a Graph error (no attempt allowed): a failure, not verified', async () => {
    const p = withTuning(ports(fakeIpc().ipc, named()), { maxWriteAttempts: 0 });
    const r = await stepProveWritable(p, target, NEW);
    expect(r.step.verdict).toBe('fail');
    expect(r.step.observed).toBe('Not verified by reading back.');
  });
});

describe('step 8 (verify on the server): the evidence', () => {
  const cs = {
    connectorName: 'x',
    distinguishedName: 'd',
    objectId: 'o',
    hasExportError: false,
    hasSyncError: false,
    attributes: {},
  };
  const traced = (name: string | null) => ({
    status: 'traced',
    dn: DN,
    adConnector: { name, via: 'partition', partition: 'DC=contoso,DC=com' },
    adObject: cs,
    metaverseObjectId: 'mv',
    entraObject: cs,
    blockOnPremisesSync: true,
    cloudAnchor: 'Contact_c1',
    cloudMastered: true,
    awaitingExportConfirmation: false,
    exportEvidence: { awaiting: false, source: 'csObject', detail: 'd.', exportRun: null, pendingExports: null },
    message: 'Traced.',
  });
  const completed = { status: 'completed', cycle: { t0: 't0', finishedAt: 't1', runs: [], allSucceeded: true } };

  it('passes on the block flag; names the step, the AD connector, and adds no note', async () => {
    const f = fakeIpc({ 'server.runSyncCycle': () => completed, 'server.traceObject': () => traced('contoso.com') });
    const r = await stepVerifyServer(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      target,
    );
    expect(r.step).toMatchObject({
      id: 'verify-server',
      title: 'Verify on the server',
      purpose: 'Run a sync cycle, then trace the object: AD connector space → metaverse → Entra connector space.',
      expected: 'The Entra connector object shows blockOnPremisesSync = true.',
      observed: 'blockOnPremisesSync = true (Entra connector object, via contoso.com). Traced.',
      verdict: 'pass',
      notes: [],
    });
  });

  it('an AD connector without a name is "AD connector"', async () => {
    const f = fakeIpc({ 'server.runSyncCycle': () => completed, 'server.traceObject': () => traced(null) });
    const r = await stepVerifyServer(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      target,
    );
    expect(r.step.observed).toBe('blockOnPremisesSync = true (Entra connector object, via AD connector). Traced.');
  });

  it('a cycle that came back busy is a note with its answer', async () => {
    const busy = { status: 'busy', message: 'running', retryAfterSeconds: 5 };
    const f = fakeIpc({ 'server.runSyncCycle': () => busy, 'server.traceObject': () => traced('contoso.com') });
    const r = await stepVerifyServer(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      target,
    );
    expect(r.step.notes).toEqual([`The sync cycle did not complete: ${JSON.stringify(busy)}`]);
  });

  it('without a DN: skipped, not ok, no trace', async () => {
    const r = await stepVerifyServer(
      ports(
        fakeIpc().ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      {
        ...target,
        dn: null,
      },
    );
    expect(r).toMatchObject({ ok: false, trace: null });
  });
});

describe('step 9 (AD changes are blocked): the evidence', () => {
  const before = { displayName: 'Alex Wilber', onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z' };
  const PROBE_TEXT = `soa-pilot 6956 probe ${T0}`;
  const event = {
    time: '2026-01-01T00:01:00Z',
    recordId: 7,
    provider: 'ADSync',
    dn: DN,
    dnSource: 'eventData',
    message: `6956 ${DN}`,
  };
  const cloud =
    (displayName: string | null = 'Alex Wilber'): Route =>
    (c) => {
      if (c.path.endsWith('/onPremisesSyncBehavior')) return { status: 200, body: { isCloudManaged: true } };
      return {
        status: 200,
        body: {
          id: 'c1',
          displayName,
          onPremisesSyncEnabled: null,
          onPremisesLastSyncDateTime: '2026-01-01T00:00:00Z',
        },
      };
    };
  const setUp = (attributeSource = 'syncRules') => {
    const inputs: Record<string, unknown> = {};
    const f = fakeIpc({
      'server.touchOnPremObject': (input) => {
        inputs['touch'] = input;
        return {
          dn: DN,
          attribute: 'department',
          attributeSource,
          attributeReason: 'flows to Entra ID',
          oldDescription: null,
          newDescription: PROBE_TEXT,
        };
      },
      'server.runSyncCycle': () => ({
        status: 'completed',
        cycle: { t0: 't0', finishedAt: 't1', runs: [], allSucceeded: true },
      }),
      'server.events6956': (input) => {
        inputs['events'] = input;
        return { events: [event], provider: 'ADSync' };
      },
    });
    return { f, inputs };
  };

  it('passes: the AD change, the event query and the probe, word for word', async () => {
    const { f, inputs } = setUp();
    const r = await stepProveAdBlocked(ports(f.ipc, fakeGraph(cloud())), target, before, { runId: 'run-9' });
    expect(inputs).toEqual({
      touch: { dn: DN, confirm: true, description: PROBE_TEXT },
      events: { since: T0, dn: DN, maxEvents: 50 },
    });
    expect(f.journal[0]).toMatchObject({ kind: 'intent', runId: 'run-9', action: 'adTouch', objectId: 'c1' });
    expect(r.probe).toEqual({ attribute: 'department', oldDescription: null, newDescription: PROBE_TEXT, since: T0 });
    expect(r.step).toMatchObject({
      id: 'ad-blocked',
      title: 'Prove AD changes are blocked',
      purpose:
        'Change the AD description of the contact (harmless), run a sync cycle, and look for Event 6956 for this DN. The cloud object must not change.',
      expected: 'Event 6956 for this DN appears after the cycle; the cloud object is unchanged.',
      notes: ['Changed department (read from the sync rules): flows to Entra ID'],
      observed: `1 Event 6956 for the DN since ${T0}; cloud object unchanged (displayName "Alex Wilber", onPremisesLastSyncDateTime 2026-01-01T00:00:00Z).`,
      verdict: 'pass',
    });
    expect(r.step.requests[0]).toMatchObject({
      kind: 'powershell',
      label: `Get-ADSyncRule (attributes that flow to Entra ID) → Set-ADObject -Identity '${DN}' -Replace @{department='${PROBE_TEXT}'}`,
    });
    expect(r.step.requests[2]).toEqual({
      kind: 'powershell',
      label: `Get-WinEvent -FilterHashtable @{LogName='Application'; Id=6956; StartTime='${T0}'} | where the message names '${DN}'`,
      at: T0,
      status: '1 event(s)',
      response: [{ time: event.time, recordId: 7, provider: 'ADSync', message: event.message }],
    });
  });

  it('an attribute from the documented default list says so', async () => {
    const { f } = setUp('defaultList');
    const r = await stepProveAdBlocked(ports(f.ipc, fakeGraph(cloud())), target, before);
    expect(r.step.notes).toEqual(['Changed department (Microsoft’s documented default list): flows to Entra ID']);
  });

  it('a failed event query is recorded with its code and message', async () => {
    const { f } = setUp();
    const ipc = failingCall(f.ipc, 'server.events6956', { code: 'powershell', message: 'access denied' });
    const r = await stepProveAdBlocked(ports(ipc, fakeGraph(cloud())), target, before);
    expect(r.step.requests[2]).toMatchObject({ status: 'powershell', response: { error: 'access denied' } });
    expect(r.step.verdict).toBe('fail');
  });

  it('a failed AD change: the observed sentence gives its message', async () => {
    const f = fakeIpc();
    const ipc = failingCall(f.ipc, 'server.touchOnPremObject', { code: 'powershell', message: 'insufficient rights' });
    const r = await stepProveAdBlocked(ports(ipc, fakeGraph(cloud())), target, before);
    expect(r.step.observed).toBe('The AD change failed: insufficient rights');
  });

  it('a cloud object that cannot be read afterwards shows empty values and counts as changed', async () => {
    const { f } = setUp();
    const r = await stepProveAdBlocked(
      ports(
        f.ipc,
        fakeGraph(() => networkError),
      ),
      target,
      before,
    );
    expect(r.step.observed).toBe(
      `1 Event 6956 for the DN since ${T0}; cloud object CHANGED (displayName "", onPremisesLastSyncDateTime null).`,
    );
    expect(r.ok).toBe(false);
  });
});

describe('restoring the AD attribute after the 6956 probe', () => {
  const probe = (oldDescription: string | null): AdProbe => ({
    attribute: 'department',
    oldDescription,
    newDescription: 'soa-pilot 6956 probe',
    since: T0,
  });

  it('an empty old value is cleared: journaled, the exact command and the message', async () => {
    let input: unknown;
    const f = fakeIpc({
      'server.restoreOnPremObject': (i) => {
        input = i;
        return { dn: DN, attribute: 'department', description: null };
      },
    });
    const r = await restoreAdDescription(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      target,
      probe(null),
      {
        runId: 'run-r',
      },
    );
    expect(input).toEqual({ dn: DN, confirm: true, description: null, attribute: 'department' });
    expect(f.journal).toEqual([
      stored(
        {
          kind: 'intent',
          opId: 'op-1',
          runId: 'run-r',
          objectType: 'contact',
          objectId: 'c1',
          displayName: 'Alex Wilber',
          action: 'adRestore',
          before: { department: 'soa-pilot 6956 probe' },
          request: { method: 'POWERSHELL', url: `Set-ADObject -Identity '${DN}'`, body: { department: null } },
        },
        1,
      ),
      stored(
        {
          kind: 'result',
          opId: 'op-1',
          outcome: 'done',
          verified: true,
          after: { dn: DN, attribute: 'department', description: null },
        },
        2,
      ),
    ]);
    expect(r).toEqual({
      ok: true,
      message: 'department restored to (empty)',
      step: {
        id: 'ad-restore',
        title: 'Restore the AD attribute',
        purpose: 'Put the description changed by the 6956 probe back.',
        startedAt: T0,
        finishedAt: T0,
        expected: 'department = (empty)',
        requests: [
          {
            kind: 'powershell',
            label: `Set-ADObject -Identity '${DN}' -Clear department`,
            at: T0,
            status: 'ok',
            response: { dn: DN, attribute: 'department', description: null },
          },
        ],
        observed: 'department restored to (empty)',
        verdict: 'pass',
        notes: [],
      },
    });
  });

  it('an old value is put back with -Replace, and the message quotes it', async () => {
    const f = fakeIpc({
      'server.restoreOnPremObject': () => ({ dn: DN, attribute: 'department', description: 'Partners' }),
    });
    const r = await restoreAdDescription(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      target,
      probe('Partners'),
    );
    expect(r.step.expected).toBe('department = "Partners"');
    expect(r.step.requests[0]?.label).toBe(`Set-ADObject -Identity '${DN}' -Replace @{department='Partners'}`);
    expect(r.message).toBe('department restored to "Partners"');
  });

  it('a failed restore fails the step with the message, and journals the failure', async () => {
    const f = fakeIpc();
    const ipc = failingCall(f.ipc, 'server.restoreOnPremObject', { code: 'powershell', message: 'access denied' });
    const r = await restoreAdDescription(
      ports(
        ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      target,
      probe('Partners'),
    );
    expect(r.ok).toBe(false);
    expect(r.message).toBe('access denied');
    expect(r.step.verdict).toBe('fail');
    expect(r.step.requests[0]).toMatchObject({ status: 'powershell', response: { error: 'access denied' } });
    expect(f.journal.map((x) => x.kind)).toEqual(['intent', 'result']);
  });

  it('without a DN nothing runs: skipped, not ok', async () => {
    const f = fakeIpc();
    const r = await restoreAdDescription(
      ports(
        f.ipc,
        fakeGraph(() => ({ status: 200 })),
      ),
      { ...target, dn: null },
      probe(null),
    );
    expect(r).toMatchObject({ ok: false, message: 'No DN matched.', step: { verdict: 'skipped' } });
    expect(f.journal).toEqual([]);
  });
});

/**
 * A bulk run whose refresh token is revoked mid-run, over the app's real token path: MSAL-node
 * (`AuthService`) signed in once against the lab, `GraphSession` and the session `$batch` port. During the
 * run the lab revokes the admin's sign-in sessions (like Graph's revokeSignInSessions) and its clock moves
 * past the access-token lifetime, so the next batch's token is refused and MSAL's silent refresh fails with
 * AADSTS50173. The run pauses with "sign in again to resume"; a new interactive sign-in and a resume finish
 * it: every object transferred, exactly one PATCH per object, nothing failed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLab, type LabHandle } from '../../../src-main/lab/index';
import { Journal, journalPortOf } from '../../../src-main/journal/journal';
import { createGraphSession, TokenSourceError } from '../../../src-renderer/lib/graph/graph-client';
import { createSessionGraphBatchPort } from '../../../src-renderer/lib/soa/bulk/session-graph-batch-port';
import { buildPlan, planItems } from '../../../src-renderer/lib/soa/bulk/plan';
import { runBulk, RunControl, type RunProgress } from '../../../src-renderer/lib/soa/bulk/pipeline';
import { keepAliveFetch } from './keep-alive-fetch';
import { labAuth } from './lab-auth';
import { allContacts, soaWritesPerObject, HYBRID_ADMIN } from './lab-session';

const N = 300;
/** Longer than MSAL's 5-minute renewal offset, so the cached token reaches Graph and is refused there. */
const LIFETIME_S = 600;

describe('bulk run when the refresh token is revoked mid-run', () => {
  let lab: LabHandle;
  let dir: string;
  beforeAll(async () => {
    lab = await startLab({ seed: 12, speed: 'fast', contacts: N, tokenLifetimeSeconds: LIFETIME_S });
    dir = mkdtempSync(path.join(tmpdir(), 'soa-bulk-revoked-'));
  });
  afterAll(async () => {
    await lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pauses with "sign in again", and after a new sign-in finishes: 0 lost, one PATCH each', async () => {
    const info = lab.info;
    const ca = readFileSync(info.caCertPath, 'utf8');
    const refusals: TokenSourceError[] = [];
    const { signIn, prompts, tokenSource } = labAuth(lab, dir, { onRefusal: (r) => refusals.push(r) });
    await signIn();
    expect(prompts()).toBe(1);

    const httpsFetch = keepAliveFetch(ca);
    let running = false;
    let batches = 0;
    let revoked = false;
    const session = createGraphSession({
      baseUrl: info.graphBaseUrl,
      customHosts: [new URL(info.graphBaseUrl).hostname],
      tokenSource,
      fetch: async (input, init) => {
        // after a few batches of the run: revoke the admin's sessions and let the issued tokens expire
        if (running && ++batches === 4 && !revoked) {
          revoked = true;
          const r = await lab.control('POST', '/revoke-sign-in-sessions', { upn: HYBRID_ADMIN });
          expect(r.status).toBe(200);
          lab.setClockOffset((LIFETIME_S + 1) * 1000);
        }
        return httpsFetch(input, init);
      },
    });
    const graph = createSessionGraphBatchPort(session);
    const plan = await buildPlan({
      kind: 'transfer',
      objectType: 'contact',
      objects: await allContacts(graph),
      graph,
      scope: { kind: 'tenant' },
      planId: 'plan-revoked',
    });
    expect(plan.counts.transfer).toBe(N);

    const journal = new Journal(dir, info.tenantDomain);
    const control = new RunControl();
    let paused: RunProgress | undefined;
    running = true;
    const run = runBulk({
      runId: 'run-revoked',
      items: planItems(plan),
      graph,
      journal: journalPortOf(journal),
      limits: { appWritesPerWindow: 30_000, tenantWritesPerWindow: 180_000 },
      retry: { baseMs: 50, maxMs: 1000, maxAttempts: 10, uncertainSettleMs: 300 },
      concurrency: { initial: 2, max: 4 },
      control,
      onProgress: (p) => {
        if (p.state === 'paused' && p.pausedFor) paused ??= p;
      },
    });
    try {
      await vi.waitFor(() => expect(paused).toBeDefined(), { timeout: 60_000, interval: 20 });
      expect(paused?.pausedFor?.kind).toBe('signIn');
      expect(paused?.pausedFor?.message).toMatch(/^Sign in again to resume the run\./);
      expect(paused?.failed).toBe(0);
      expect(paused?.verified).toBeLessThan(N);
      // the silent refresh was refused for the revoked grant; nobody was prompted behind the admin's back
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.every((r) => r.code === 'interactionRequired' && /invalid_grant/.test(r.message))).toBe(true);
      expect(prompts()).toBe(1);
      // while paused, nothing more is written
      const writesAtPause = soaWritesPerObject(lab).size;
      await new Promise((r) => setTimeout(r, 300));
      expect(soaWritesPerObject(lab).size).toBe(writesAtPause);

      // a new sign-in, then resume
      await signIn();
      expect(prompts()).toBe(2);
      control.resume();
      const summary = await run;
      expect(summary.progress).toMatchObject({ total: N, verified: N, failed: 0, unverified: 0, state: 'finished' });
    } finally {
      running = false;
      control.cancel();
      await run.catch(() => undefined);
      await journal.close();
      httpsFetch.close();
    }
    // 0 lost, 0 double writes
    const t = lab.tenant();
    for (const e of plan.entries) if (e.action === 'transfer') expect(t.object(e.objectId)?.isCloudManaged).toBe(true);
    const writes = soaWritesPerObject(lab);
    expect(writes.size).toBe(N);
    for (const [id, n] of writes) expect(n, id).toBe(1);
  }, 180_000);
});

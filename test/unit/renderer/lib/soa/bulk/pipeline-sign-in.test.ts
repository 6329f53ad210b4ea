/**
 * A bulk run whose token needs a new interactive sign-in (refresh token revoked): the run pauses with a
 * "sign in again" reason instead of failing objects, sends nothing while paused, and a resume after the
 * sign-in finishes the plan — no object lost, none written twice. Both ways the refusal reaches the
 * run: the token port throws before a batch is sent, or Graph answers inner 401s the port could not
 * refresh away.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeGraph } from './fake-graph';
import { Journal, journalPortOf } from '../../../../../../src-main/journal/journal';
import { TokenSourceError } from '../../../../../../src-renderer/lib/graph/graph-client';
import {
  runBulk,
  RunControl,
  type BulkItem,
  type RunProgress,
} from '../../../../../../src-renderer/lib/soa/bulk/pipeline';
import { needsSignIn } from '../../../../../../src-renderer/lib/soa/bulk/stages/sender';
import type {
  BatchBody,
  BatchHttpResponse,
  GraphBatchPort,
  JournalPort,
} from '../../../../../../src-renderer/lib/soa/bulk/ports';

const FAST = {
  retry: { baseMs: 2, maxMs: 20, maxAttempts: 3, uncertainSettleMs: 5 },
  limits: { appWritesPerWindow: 1_000_000, tenantWritesPerWindow: 2_000_000, burst: 200 },
};

/** The token side of Graph: while `revoked`, no batch gets through (thrown before sending, or inner 401s). */
class RevocableGraph implements GraphBatchPort {
  revoked = false;
  refusedBatches = 0;
  /** Batches sent and not yet answered: the test waits for 0 instead of guessing a delay. */
  inFlight = 0;
  constructor(
    readonly graph: FakeGraph,
    private readonly how: 'throw' | 'inner401',
  ) {}
  async sendBatch(body: BatchBody, options: { scopes: readonly string[] }): Promise<BatchHttpResponse> {
    this.inFlight++;
    try {
      return await this.answer(body, options);
    } finally {
      this.inFlight--;
    }
  }

  private async answer(body: BatchBody, options: { scopes: readonly string[] }): Promise<BatchHttpResponse> {
    if (!this.revoked) return this.graph.sendBatch(body);
    this.refusedBatches++;
    if (this.how === 'throw')
      throw new TokenSourceError('interactionRequired', 'A new sign-in is needed (invalid_grant).');
    return {
      status: 200,
      headers: {},
      body: {
        responses: body.requests.map((r) => ({
          id: r.id,
          status: 401,
          headers: {},
          body: {
            error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' },
          },
        })),
      },
    };
    void options;
  }
}

function contacts(graph: FakeGraph, n: number): BulkItem[] {
  const items: BulkItem[] = [];
  for (let i = 0; i < n; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    graph.add({ id, displayName: `Contact ${i}` });
    items.push({ objectId: id, objectType: 'contact', displayName: `Contact ${i}`, action: 'transfer' });
  }
  return items;
}

describe('bulk run when the token needs a new sign-in', () => {
  let dir: string;
  let journal: Journal;
  let port: JournalPort;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'soa-bulk-signin-'));
    journal = new Journal(dir, 'contoso');
    port = journalPortOf(journal);
  });
  afterEach(async () => {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const how of ['throw', 'inner401'] as const) {
    it(`pauses with "sign in again", sends nothing while paused, and finishes after the sign-in (${how})`, async () => {
      const fake = new FakeGraph();
      fake.latencyMs = 2;
      const items = contacts(fake, 200);
      const graph = new RevocableGraph(fake, how);
      const control = new RunControl();
      let paused: RunProgress | undefined;
      let revokedOnce = false;
      const run = runBulk({
        runId: `run-${how}`,
        items,
        graph,
        journal: port,
        ...FAST,
        control,
        concurrency: { initial: 2, max: 2 },
        onProgress: (p) => {
          if (p.verified >= 40 && !revokedOnce) graph.revoked = revokedOnce = true;
          if (p.state === 'paused' && p.pausedFor) paused ??= p;
        },
      });
      await vi.waitFor(() => expect(paused).toBeDefined(), { timeout: 20_000, interval: 5 });
      expect(paused?.pausedFor?.kind).toBe('signIn');
      expect(paused?.pausedFor?.message).toMatch(/^Sign in again to resume the run\./);
      expect(paused?.failed).toBe(0);
      // paused: the refused batches were the last ones (at most one per concurrent slot); a batch already in flight
      // when the pause came is answered first
      await vi.waitFor(() => expect(graph.inFlight).toBe(0), { timeout: 20_000, interval: 5 });
      const refused = graph.refusedBatches;
      expect(refused).toBeGreaterThanOrEqual(1);
      expect(refused).toBeLessThanOrEqual(2);
      const batches = fake.batches;
      await new Promise((r) => setTimeout(r, 100));
      expect(graph.refusedBatches).toBe(refused);
      expect(fake.batches).toBe(batches);

      // a new sign-in, then resume
      graph.revoked = false;
      control.resume();
      const summary = await run;
      expect(summary.progress).toMatchObject({
        total: 200,
        verified: 200,
        failed: 0,
        unverified: 0,
        state: 'finished',
      });
      expect(summary.progress.pausedFor).toBeUndefined();
      for (const it of items) expect(fake.writesFor(it.objectId), it.objectId).toBe(1);
      // no attempt was spent on the refusals
      expect(summary.items.every((i) => i.attempts === 0)).toBe(true);
    });
  }

  it('a run that cannot get a token without signing in never fails objects for it (it waits)', async () => {
    const fake = new FakeGraph();
    const items = contacts(fake, 30);
    const graph = new RevocableGraph(fake, 'throw');
    graph.revoked = true;
    const control = new RunControl();
    const run = runBulk({ runId: 'run-wait', items, graph, journal: port, ...FAST, control });
    await vi.waitFor(() => expect(control.pauseReason?.kind).toBe('signIn'), { timeout: 20_000, interval: 5 });
    control.cancel();
    const summary = await run;
    expect(summary.items.some((i) => i.outcome === 'failed')).toBe(false);
    expect(fake.writeLog).toHaveLength(0);
  });

  it('only a refusal that a sign-in ends pauses the run (missing consent and other errors do not)', () => {
    expect(needsSignIn(new TokenSourceError('interactionRequired', 'A new sign-in is needed.'))).toBe(true);
    expect(needsSignIn(new TokenSourceError('notSignedIn', 'Sign in first.'))).toBe(true);
    expect(needsSignIn(new TokenSourceError('interactionRequired', 'Consent is missing.', ['Group.Read.All']))).toBe(
      false,
    );
    expect(needsSignIn(new TokenSourceError('unavailable', 'Token request failed.'))).toBe(false);
    expect(needsSignIn(new Error('socket hang up'))).toBe(false);
  });
});

/**
 * A bulk run under heavy throttling, under each lab variant of the outer status of a throttled `$batch` (200 and
 * 424): the tenant's other apps spend 85 % of the tenant-wide write budget (drained before the run), injected 429s
 * carry `x-ms-throttle-limit-percentage` 1.7 and no Retry-After, some whole batches are refused with 429, and the
 * pipeline reads outer responses as the renderer does under CORS (no Retry-After, no x-ms-throttle-*). Every
 * object ends verified, each written exactly once with one intent and one result, and no write went out before
 * Graph allowed it (Retry-After, or ≥ 5 s when it could not be read), by the lab's own clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabHandle } from '../../../src-main/lab/index';
import { opIdFor } from '../../../src-renderer/lib/soa/bulk/pipeline';
import { retryAfterViolations, runHeavyThrottle, type RecordedBatch } from './heavy-throttle';

let lab: LabHandle;
beforeAll(async () => {
  lab = await startLab({ seed: 11, speed: 'fast', contacts: 200 });
});
afterAll(async () => {
  await lab.close();
});

describe.each([200, 424] as const)(
  'bulk run under heavy throttling, outer status of a throttled $batch = %s',
  (outer) => {
    it('0 lost, 0 double writes, Retry-After obeyed, the limit percentage read as 1.6–1.8', async () => {
      const r = await runHeavyThrottle(lab, { objects: 60, outerStatus: outer });
      expect(r.summary.progress).toMatchObject({ total: 60, verified: 60, failed: 0, unverified: 0, remaining: 0 });
      for (const it of r.items) {
        expect(r.writesPerObject.get(it.objectId), it.objectId).toBe(1);
        expect(r.journalCounts.get(opIdFor(`heavy-${outer}`, 'contact', it.objectId)), it.objectId).toEqual({
          intent: 1,
          result: 1,
        });
        expect(lab.tenant().object(it.objectId)?.isCloudManaged).toBe(true);
      }
      // the run really was heavily throttled, in the ways it claims: throttled writes (with and without a
      // Retry-After) and throttled whole batches. How many of each depends on timing (ten local runs: 11–31
      // throttled writes and 10–23 throttled batches a run; one CI run had 9 throttled writes), so the floor
      // is on their sum.
      const answers = r.batches.flatMap((b: RecordedBatch) => b.writeAnswers);
      const throttled = answers.filter((a) => a.status === 429);
      const throttledBatches = r.batches.filter((b) => b.outerStatus === 429);
      expect(throttled.length).toBeGreaterThanOrEqual(3);
      expect(throttled.length + throttledBatches.length).toBeGreaterThanOrEqual(15);
      expect(throttled.some((a) => a.retryAfterMs === undefined)).toBe(true);
      expect(throttled.some((a) => a.retryAfterMs !== undefined)).toBe(true);
      expect(Math.max(...answers.map((a) => a.percentage ?? 0))).toBeGreaterThanOrEqual(1.6);
      expect(throttledBatches.some((b) => b.writes.length > 0)).toBe(true);
      if (outer === 424) expect(r.batches.filter((b) => b.outerStatus === 424).length).toBeGreaterThan(0);
      else expect(r.batches.some((b) => b.outerStatus === 424)).toBe(false);
      // the renderer's view: no outer Retry-After or x-ms-throttle-* was readable
      for (const b of r.batches) {
        expect(Object.keys(b.outerHeaders).filter((k) => /^(retry-after|x-ms-throttle-)/i.test(k))).toEqual([]);
      }
      // Retry-After obeyed (or ≥ 5 s when it could not be read), by the lab's clock
      expect(retryAfterViolations(r.batches)).toEqual([]);
    });
  },
);

it('the Retry-After check fails a run whose writes go out before the wait is over', () => {
  const b = (o: Partial<RecordedBatch>): RecordedBatch => ({
    sentSeq: 0,
    answeredSeq: 0,
    sentAt: 0,
    answeredAt: 0,
    writes: ['x'],
    outerStatus: 200,
    outerHeaders: {},
    writeAnswers: [],
    ...o,
  });
  const throttledAt1000 = b({
    sentSeq: 1,
    answeredSeq: 2,
    answeredAt: 1_000,
    writeAnswers: [{ objectId: 'x', status: 429, retryAfterMs: 3_000 }],
  });
  expect(retryAfterViolations([throttledAt1000, b({ sentSeq: 3, answeredSeq: 4, sentAt: 3_999 })])).toHaveLength(1);
  expect(retryAfterViolations([throttledAt1000, b({ sentSeq: 3, answeredSeq: 4, sentAt: 4_000 })])).toEqual([]);
  // sent before the answer came: not a violation
  expect(retryAfterViolations([throttledAt1000, b({ sentSeq: 1.5, answeredSeq: 4, sentAt: 1_500 })])).toEqual([]);
  // no Retry-After to read: at least 5 s
  const noRa = b({ sentSeq: 1, answeredSeq: 2, answeredAt: 1_000, writeAnswers: [{ objectId: 'x', status: 429 }] });
  expect(retryAfterViolations([noRa, b({ sentSeq: 3, answeredSeq: 4, sentAt: 5_999 })])).toHaveLength(1);
  const outer = b({ sentSeq: 1, answeredSeq: 2, answeredAt: 1_000, outerStatus: 429 });
  expect(retryAfterViolations([outer, b({ sentSeq: 3, answeredSeq: 4, sentAt: 2_000 })])).toHaveLength(1);
});

/**
 * The bulk rollback plan against the lab when every memberOf read of one contact answers 500: the read is retried a
 * bounded number of times, then that contact is "could not check" with a message that says what failed and what to
 * do; the other contacts are planned normally. The failing case: when the fault is gone, the same plan checks it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { labSession } from './lab-session';
import { buildPlan } from '../../../src-renderer/lib/soa/bulk/plan';
import { toSelected } from '../../../src-renderer/lib/soa/bulk/selection';
import type { Clock } from '../../../src-renderer/lib/soa/bulk/ports';

type Session = Awaited<ReturnType<typeof labSession>>;
let s: Session;
beforeAll(async () => {
  s = await labSession({ seed: 3, contacts: 400 });
});
afterAll(async () => {
  await s.close();
});

/** Sleeps move only this clock (the 500s carry no Retry-After, so lab time does not matter). */
function virtualClock(): Clock & { slept: number } {
  const c = {
    t: 0,
    slept: 0,
    now: () => Date.now() + c.t,
    sleep: async (ms: number) => {
      c.t += ms;
      c.slept += ms;
    },
  };
  return c;
}

it('memberOf answering 500 every time: bounded retries, then "could not check" with why and what to do', async () => {
  const { lab, graph } = s;
  const transferred = lab
    .tenant()
    .objectsOf('contact')
    .filter((o) => o.isCloudManaged);
  expect(transferred.length).toBeGreaterThanOrEqual(2);
  const [victim, other] = transferred;
  if (!victim || !other) throw new Error('seed');
  const objects = [victim, other].map((o) =>
    toSelected({ id: o.id, displayName: o.displayName ?? null }, 'contact', 'test'),
  );
  lab.faults.add({ method: 'GET', path: `^/v1\\.0/contacts/${victim.id}/memberOf$`, kind: 'status', status: 500 });
  try {
    const clock = virtualClock();
    const plan = await buildPlan({
      kind: 'rollback',
      objectType: 'contact',
      objects,
      graph,
      scope: { kind: 'tenant' },
      planId: 'p-500',
      clock,
    });
    const blocked = plan.entries.find((e) => e.objectId === victim.id);
    expect(blocked?.action).toBe('blockedCouldNotCheck');
    expect(blocked?.reason).toMatch(/reading memberOf \(HTTP 500 on 4 attempts over [\d.]+ s\)/);
    expect(blocked?.reason).toMatch(/Graph kept failing for this read; plan again later, or override for this object/);
    expect(plan.entries.find((e) => e.objectId === other.id)?.action).not.toBe('blockedCouldNotCheck');
    const hits = lab.faults.all()[0]?.hits ?? 0;
    expect(hits).toBe(4);
    expect(clock.slept).toBeLessThan(60_000);
  } finally {
    lab.faults.clear();
  }
  const again = await buildPlan({
    kind: 'rollback',
    objectType: 'contact',
    objects,
    graph,
    scope: { kind: 'tenant' },
    planId: 'p-ok',
    clock: virtualClock(),
  });
  expect(again.entries.find((e) => e.objectId === victim.id)?.action).not.toBe('blockedCouldNotCheck');
});

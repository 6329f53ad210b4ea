/**
 * `npm run bench -- throttle`: a bulk run under heavy throttling against the lab (the run of
 * test/integration/bulk/bulk-heavy-throttle.test.ts, with more objects): the tenant's other apps spend 85 % of the
 * tenant-wide write budget, injected 429s carry a limit percentage of 1.7 and no Retry-After, some whole batches are
 * refused, the outer status of a throttled batch is 200 and then 424, and outer headers are read as under CORS.
 * Time is the lab's clock (the pipeline's idle waits move it forward), so the rates are in lab seconds.
 *
 * Three runs: the shared budget alone (other apps at 85 %, natural throttling only), then the heavy run with outer
 * 200 and with outer 424. Prints, per run, the write rate the pacer achieved and its share of the limit-bound rate
 * (what the limits leave this app: min(app limit, tenant limit − other apps)). Target: below the limit (share
 * ≤ 100 %), with 0 failed / unverified and 0 double writes; a higher share is better. In the heavy runs every
 * throttle without a readable Retry-After holds all writes ≥ 5 s, which bounds the share.
 */
import { startLab } from '../../src-main/lab/index';
import { retryAfterViolations, runHeavyThrottle } from '../integration/bulk/heavy-throttle';

const OBJECTS = 300;

const SCENARIOS = [
  { name: 'shared budget, outer 200', outerStatus: 200, injected429: 0, outer429: 0 },
  { name: 'heavy, outer 200', outerStatus: 200 },
  { name: 'heavy, outer 424', outerStatus: 424 },
] as const;

export async function runThrottleBench(): Promise<void> {
  const lab = await startLab({ seed: 11, speed: 'fast', contacts: OBJECTS * SCENARIOS.length + 100 });
  try {
    for (const sc of SCENARIOS) {
      const t0 = performance.now();
      const r = await runHeavyThrottle(lab, { objects: OBJECTS, ...sc });
      const wall = (performance.now() - t0) / 1000;
      const p = r.summary.progress;
      const answers = r.batches.flatMap((b) => b.writeAnswers);
      const accepted = answers.filter((a) => a.status >= 200 && a.status < 300).length;
      const refused = answers.filter((a) => a.status === 429).length;
      const noRetryAfter = answers.filter((a) => a.status === 429 && a.retryAfterMs === undefined).length;
      const outer429 = r.batches.filter((b) => b.outerStatus === 429).length;
      const rate = accepted / r.seconds;
      const doubles = [...r.writesPerObject.values()].filter((n) => n > 1).length;
      const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
      console.log(
        `throttle (${sc.name}): other apps ${r.otherAppsWritesPerSecond.toFixed(2)} writes/s of the tenant's ${(r.otherAppsWritesPerSecond / 0.85).toFixed(2)}; limit-bound rate left ${r.limitBoundRate.toFixed(2)} writes/s`,
      );
      console.log(
        `throttle (${sc.name}): ${p.verified}/${OBJECTS} verified in ${r.seconds.toFixed(0)} lab s (${wall.toFixed(1)} s wall) = ${rate.toFixed(2)} writes/s, ${pct(rate / r.limitBoundRate)} of the limit-bound rate (target: below it, as close as the throttles allow); write 429s ${refused} (${noRetryAfter} without Retry-After), outer 429s ${outer429}; failed ${p.failed}, unverified ${p.unverified}, double writes ${doubles}, Retry-After violations ${retryAfterViolations(r.batches).length}`,
      );
    }
  } finally {
    await lab.close();
  }
}

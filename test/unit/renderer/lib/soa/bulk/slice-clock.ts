/** The time-slice tests' environment: a clock that can show when a slice runs out, and a count of yields. */
import type { SliceEnvironment } from '../../../../../../src-renderer/lib/soa/bulk/time-slice';

/** A clock that moves `stepMs` on every read (a slice runs out after known work); `yields` counts the yields. */
export function fakeEnv(stepMs: number): SliceEnvironment & { yields: number } {
  let t = 0;
  const env = {
    yields: 0,
    now: () => (t += stepMs),
    yieldNow: () => {
      env.yields++;
      return Promise.resolve();
    },
  };
  return env;
}

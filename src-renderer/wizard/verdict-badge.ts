import type { Verdict } from '../lib/soa/evidence';

/** The badge class (pass / fail / warn / info) that shows a verdict. */
export const verdictBadge = (v: Verdict): string =>
  v === 'pass' ? 'pass' : v === 'fail' ? 'fail' : v === 'warn' ? 'warn' : 'info';

/**
 * `npm run bench [-- powershell|bulk|throttle|server|journal|scale]`: prints figures and ratios against the targets in the issues.
 * Benchmarks are not tests: they never fail the build on speed; they report.
 */
import { setLogSink } from '../../src-main/log';

// Figures only: service logs (e.g. one line per spawned PowerShell) would drown them.
setLogSink((line) => process.stderr.write(line + '\n'), 'warn');

const wanted = new Set(process.argv.slice(2).filter((a) => !a.startsWith('-')));
const all = wanted.size === 0;

async function main(): Promise<void> {
  if (all || wanted.has('powershell')) {
    const { runPowershellBench } = await import('./powershell-bench');
    await runPowershellBench();
  }
  if (all || wanted.has('bulk')) {
    const { runBulkBench } = await import('./bulk-bench');
    await runBulkBench();
  }
  if (all || wanted.has('throttle')) {
    const { runThrottleBench } = await import('./throttle-bench');
    await runThrottleBench();
  }
  if (all || wanted.has('server')) {
    const { runServerBench } = await import('./server-bench');
    await runServerBench();
  }
  // the scale run takes many minutes: only when asked for by name
  if (wanted.has('scale')) {
    const { runScaleBench } = await import('./scale-bench');
    await runScaleBench();
  }
  if (all || wanted.has('journal')) {
    const { runJournalBench } = await import('./journal-bench');
    await runJournalBench();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);

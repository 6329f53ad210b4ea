/**
 * `npm run mutate [-- <module> ...]`: StrykerJS over the modules that decide verdicts, durability and
 * safety (test/mutation/modules.json), one Stryker run per module so each runs only its own unit tests.
 * Prints each module's mutation score and the overall score, counting the surviving mutants listed in
 * test/mutation/equivalent-mutants.json as equivalent (left out of the score, shown with their reason).
 * Every other survivor is printed with its place: kill it with a test, or list it with a reason.
 * Also prints each module's mutant count, how many of them this run tested (the rest came from the incremental
 * file), its wall time and the seconds per tested mutant, and the total wall time against the 60-minute budget.
 * Reports: reports/mutation/<module>/index.html (open it in a browser). Incremental: re-runs reuse
 * reports/mutation/<module>/stryker-incremental.json and only re-test what changed.
 * Arguments after the module names go to Stryker (`npm run mutate -- journal --mutate <file>:<lines>`).
 * Not part of `npm test` (it takes tens of minutes). See docs/mutation-testing.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const root = path.resolve(import.meta.dirname, '..');

const Modules = z.object({
  modules: z.array(
    z.object({
      name: z.string(),
      mutate: z.array(z.string()),
      tests: z.array(z.string()),
      /** false: run the tests without vitest's per-file isolation (read by stryker.config.mjs). */
      isolate: z.boolean().optional(),
    }),
  ),
});
const Equivalents = z.object({
  equivalents: z.array(
    z
      .object({
        file: z.string(),
        /** The mutant's line; or, for a kind of mutant that recurs, `precededBy`. */
        line: z.number().int().optional(),
        /** A regex the source text just before the mutant must match (e.g. `description:\\s*$`): every such mutant. */
        precededBy: z.string().optional(),
        mutator: z.string(),
        replacement: z.string().optional(),
        reason: z.string().min(10),
      })
      .refine((e) => (e.line === undefined) !== (e.precededBy === undefined), 'give either line or precededBy'),
  ),
});
const Report = z.object({
  files: z.record(
    z.string(),
    z.object({
      source: z.string().optional(),
      mutants: z.array(
        z.object({
          mutatorName: z.string(),
          replacement: z.string().optional(),
          status: z.string(),
          location: z.object({ start: z.object({ line: z.number(), column: z.number() }) }),
        }),
      ),
    }),
  ),
});

export type Equivalent = z.infer<typeof Equivalents>['equivalents'][number];
export interface ModuleScore {
  name: string;
  /** Every mutant in the report, whatever its status (ignored and compile errors included). */
  mutants: number;
  killed: number;
  survived: number;
  noCoverage: number;
  equivalent: number;
  score: number;
  unexplained: string[];
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Scores one module's Stryker JSON report; listed equivalents leave the denominator. */
export function scoreReport(name: string, report: z.infer<typeof Report>, equivalents: Equivalent[]): ModuleScore {
  const result: ModuleScore = {
    name,
    mutants: 0,
    killed: 0,
    survived: 0,
    noCoverage: 0,
    equivalent: 0,
    score: 0,
    unexplained: [],
  };
  for (const [file, { mutants, source }] of Object.entries(report.files)) {
    const rel = path.isAbsolute(file) ? path.relative(root, file) : file;
    const lines = (source ?? '').split('\n');
    /** The source text before the mutant (its line and the two before it). */
    const before = (line: number, column: number): string =>
      [...lines.slice(Math.max(0, line - 3), line - 1), (lines[line - 1] ?? '').slice(0, column - 1)].join('\n');
    result.mutants += mutants.length;
    for (const m of mutants) {
      if (DETECTED.has(m.status)) result.killed++;
      else if (UNDETECTED.has(m.status)) {
        const { line, column } = m.location.start;
        const listed = equivalents.find(
          (e) =>
            e.file === rel &&
            (e.line === undefined || e.line === line) &&
            (e.precededBy === undefined || new RegExp(e.precededBy).test(before(line, column))) &&
            e.mutator === m.mutatorName &&
            (e.replacement === undefined || e.replacement === m.replacement),
        );
        if (listed) result.equivalent++;
        else {
          if (m.status === 'Survived') result.survived++;
          else result.noCoverage++;
          result.unexplained.push(`${rel}:${line}:${column} ${m.mutatorName} → ${m.replacement ?? ''}`);
        }
      }
    }
  }
  const valid = result.killed + result.survived + result.noCoverage;
  result.score = valid === 0 ? 100 : (100 * result.killed) / valid;
  return result;
}

export interface RunFacts {
  /** Mutants Stryker placed in the source it was given (null when its log does not say). */
  placed: number | null;
  /** Of those, how many results it took from the incremental file instead of testing them. */
  reused: number;
}

/** What one Stryker run's log says about its size: mutants placed and results reused (colours only wrap the prefix). */
export function runFacts(output: string): RunFacts {
  const placed = /Instrumented \d+ source file\(s\) with (\d+) mutant\(s\)/.exec(output);
  const reused = /(\d+) of \d+ mutant result\(s\) are reused/.exec(output);
  return { placed: placed ? Number(placed[1]) : null, reused: reused ? Number(reused[1]) : 0 };
}

/** `12 min 05 s`, or `45 s` under a minute. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * CPU seconds used by this process's children that have ended (user + system, from `/proc/self/stat`: Linux
 * counts a waited-for child's own children in too), or null where there is no /proc. Unlike wall time it barely
 * depends on what else the machine runs, so it gives a run's cost on a busy machine: a quiet 2-core machine needs at
 * least half of it as wall time.
 */
export function childrenCpuSeconds(stat: string | null = readProcStat(), ticksPerSecond = 100): number | null {
  if (stat === null) return null;
  // the fields after "(command) ": state is field 3; cutime and cstime are fields 16 and 17
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) return null;
  return (cutime + cstime) / ticksPerSecond;
}

function readProcStat(): string | null {
  try {
    return readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return null;
  }
}

/** Runs Stryker for one module, passing its output through while keeping it to read the run's size. */
function runStryker(module: string, strykerArgs: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['stryker', 'run', 'stryker.config.mjs', ...strykerArgs], {
      cwd: root,
      stdio: ['inherit', 'pipe', 'pipe'],
      env: { ...process.env, SOA_MUTATE_MODULE: module },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      process.stdout.write(c);
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      process.stderr.write(c);
      output += c.toString();
    });
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** The 60-minute budget of a full `npm run mutate` on 2 cores (docs/mutation-testing.md, "Cost"). */
const BUDGET_MS = 60 * 60 * 1000;

async function main(): Promise<number> {
  const { modules } = Modules.parse(JSON.parse(readFileSync(path.join(root, 'test/mutation/modules.json'), 'utf8')));
  const { equivalents } = Equivalents.parse(
    JSON.parse(readFileSync(path.join(root, 'test/mutation/equivalent-mutants.json'), 'utf8')),
  );
  // Module names first; from the first flag on, the arguments go to Stryker as they are (e.g. `--mutate
  // src-main/journal/record-guard.ts:10-40` to work on a slice; the score then covers only that slice).
  const args = process.argv.slice(2);
  const firstFlag = args.findIndex((a) => a.startsWith('-'));
  const wanted = firstFlag === -1 ? args : args.slice(0, firstFlag);
  const strykerArgs = firstFlag === -1 ? [] : args.slice(firstFlag);
  const unknown = wanted.filter((w) => !modules.some((m) => m.name === w));
  if (unknown.length > 0) {
    console.error(`unknown module(s): ${unknown.join(', ')}; known: ${modules.map((m) => m.name).join(', ')}`);
    return 2;
  }
  const chosen = wanted.length > 0 ? modules.filter((m) => wanted.includes(m.name)) : modules;
  const scores: (ModuleScore & { tested: number | null; wallMs: number; cpuS: number | null })[] = [];
  let wallMs = 0;
  let cpuS: number | null = 0;
  for (const m of chosen) {
    console.log(`\n== mutate ${m.name}: ${m.mutate.join(', ')}`);
    const started = Date.now();
    const cpuBefore = childrenCpuSeconds();
    const run = await runStryker(m.name, strykerArgs);
    const took = Date.now() - started;
    const cpuAfter = childrenCpuSeconds();
    const cpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
    wallMs += took;
    cpuS = cpuS === null || cpu === null ? null : cpuS + cpu;
    const reportFile = path.join(root, 'reports/mutation', m.name, 'mutation.json');
    if (run.status !== 0 || !existsSync(reportFile)) {
      console.error(
        `stryker failed for ${m.name} (exit ${run.status ?? 'signal'}, after ${duration(took)}); its score is missing`,
      );
      continue;
    }
    const facts = runFacts(run.output);
    scores.push({
      ...scoreReport(m.name, Report.parse(JSON.parse(readFileSync(reportFile, 'utf8'))), equivalents),
      tested: facts.placed === null ? null : facts.placed - facts.reused,
      wallMs: took,
      cpuS: cpu,
    });
  }
  const num = (n: number | null, width: number) => String(n ?? '?').padStart(width);
  console.log(
    '\nmodule                 score   killed survived no-cov equivalent mutants tested   wall time  s/tested   CPU time',
  );
  const total = { killed: 0, survived: 0, noCoverage: 0, equivalent: 0, mutants: 0, tested: 0 };
  for (const s of scores) {
    const perMutant = s.tested ? (s.wallMs / 1000 / s.tested).toFixed(1) : '-';
    console.log(
      `${s.name.padEnd(22)} ${s.score.toFixed(1).padStart(5)} % ${num(s.killed, 7)} ${num(s.survived, 8)} ${num(s.noCoverage, 6)} ${num(s.equivalent, 10)} ${num(s.mutants, 7)} ${num(s.tested, 6)} ${duration(s.wallMs).padStart(11)} ${perMutant.padStart(9)} ${(s.cpuS === null ? '?' : duration(s.cpuS * 1000)).padStart(10)}`,
    );
    total.killed += s.killed;
    total.survived += s.survived;
    total.noCoverage += s.noCoverage;
    total.equivalent += s.equivalent;
    total.mutants += s.mutants;
    total.tested += s.tested ?? 0;
  }
  const valid = total.killed + total.survived + total.noCoverage;
  const overall = valid === 0 ? 100 : (100 * total.killed) / valid;
  if (scores.length === 0) console.log(`${'overall'.padEnd(22)}   no module scored`);
  else console.log(`${'overall'.padEnd(22)} ${overall.toFixed(1).padStart(5)} % (target ≥ 85 %)`);
  // Only a run that tested every mutant (no incremental file, or --force) measures what a full run costs.
  console.log(
    `wall time ${duration(wallMs)} for ${total.tested} of ${total.mutants} mutants tested in this run ` +
      `(the rest reused from the incremental files)` +
      (cpuS === null ? '' : `; CPU time ${duration(cpuS * 1000)} (2 cores need at least half of it as wall time)`) +
      `; budget of a full run: ${duration(BUDGET_MS)} on 2 cores` +
      (total.tested === total.mutants && chosen.length === modules.length
        ? wallMs <= BUDGET_MS
          ? ' — within it'
          : ' — OVER it'
        : ''),
  );
  for (const s of scores.filter((x) => x.unexplained.length > 0)) {
    console.log(`\n${s.name}: ${s.unexplained.length} survivor(s) neither killed nor listed as equivalent:`);
    for (const u of s.unexplained.slice(0, 200)) console.log(`  ${u}`);
  }
  console.log('\nHTML reports: reports/mutation/<module>/index.html');
  return scores.length === chosen.length ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename))
  void main().then((code) => process.exit(code));

import { describe, expect, it } from 'vitest';
import { childrenCpuSeconds, duration, runFacts, scoreReport, type Equivalent } from '../../../scripts/mutate';

const source = [
  "  'a.b': op({ input: empty, description: 'Short.' }),",
  "  'c.d': op({",
  '    description:',
  "      'Long text.',",
  "    label: 'Shown to the admin.',",
  '  }),',
].join('\n');

const mutant = (line: number, column: number, status: string, mutatorName = 'StringLiteral') => ({
  mutatorName,
  replacement: '""',
  status,
  location: { start: { line, column } },
});

const report = {
  files: {
    'src-main/ipc/contract.ts': {
      source,
      mutants: [
        mutant(1, 42, 'Survived'), // description on the same line
        mutant(4, 7, 'NoCoverage'), // description on the next line
        mutant(5, 12, 'Survived'), // another property: not listed
        mutant(1, 22, 'Killed', 'ObjectLiteral'),
        mutant(2, 3, 'Timeout', 'ObjectLiteral'),
      ],
    },
  },
};

describe('scoreReport', () => {
  it('leaves out survivors matched by precededBy, wherever their line is, and only those', () => {
    const equivalents: Equivalent[] = [
      {
        file: 'src-main/ipc/contract.ts',
        precededBy: 'description:\\s*$',
        mutator: 'StringLiteral',
        reason: 'Descriptions are documentation only.',
      },
    ];
    const s = scoreReport('ipc', report, equivalents);
    expect(s).toMatchObject({ mutants: 5, killed: 2, survived: 1, noCoverage: 0, equivalent: 2 });
    expect(s.score).toBeCloseTo((100 * 2) / 3);
    expect(s.unexplained).toEqual(['src-main/ipc/contract.ts:5:12 StringLiteral → ""']);
  });

  it('matches a listed line only with the same mutator (and replacement when given)', () => {
    const byLine = (over: Partial<Equivalent>): Equivalent => ({
      file: 'src-main/ipc/contract.ts',
      line: 5,
      mutator: 'StringLiteral',
      reason: 'A listed survivor.',
      ...over,
    });
    expect(scoreReport('ipc', report, [byLine({})]).equivalent).toBe(1);
    expect(scoreReport('ipc', report, [byLine({ mutator: 'ObjectLiteral' })]).equivalent).toBe(0);
    expect(scoreReport('ipc', report, [byLine({ replacement: '"x"' })]).equivalent).toBe(0);
    expect(scoreReport('ipc', report, [byLine({ file: 'src-main/ipc/router.ts' })]).equivalent).toBe(0);
    const none = scoreReport('ipc', report, []);
    expect(none).toMatchObject({ killed: 2, survived: 2, noCoverage: 1, equivalent: 0 });
    expect(none.score).toBeCloseTo(40);
  });

  it('scores an empty report as 100 %', () => {
    expect(scoreReport('x', { files: {} }, []).score).toBe(100);
  });

  it('counts every mutant of every file, whatever its status', () => {
    const other = { mutants: [mutant(1, 1, 'Ignored'), mutant(2, 1, 'CompileError')] };
    const s = scoreReport('x', { files: { ...report.files, 'src-main/log.ts': other } }, []);
    expect(s.mutants).toBe(7);
    expect(s.killed + s.survived + s.noCoverage).toBe(5);
  });
});

describe('runFacts and duration (the size and time of a run)', () => {
  const log = [
    '\u001b[32m10:06:07 (23623) INFO Instrumenter\u001b[39m Instrumented 1 source file(s) with 87 mutant(s)',
    '\u001b[32m10:06:21 (23623) INFO IncrementalDiffer\u001b[39m Incremental report:',
    '\tResult:\t\t12 of 87 mutant result(s) are reused.',
  ].join('\n');

  it("reads the mutants placed and the results reused from Stryker's log", () => {
    expect(runFacts(log)).toEqual({ placed: 87, reused: 12 });
  });

  it('counts nothing reused when the log has no incremental report (first run), and says so when it has no count', () => {
    expect(runFacts(log.split('\n')[0]!)).toEqual({ placed: 87, reused: 0 });
    expect(runFacts('stryker failed')).toEqual({ placed: null, reused: 0 });
  });

  it('prints seconds under a minute and minutes with two-digit seconds above', () => {
    expect(duration(44_400)).toBe('44 s');
    expect(duration(59_499)).toBe('59 s');
    expect(duration(59_500)).toBe('1 min 00 s');
    expect(duration(3_725_000)).toBe('62 min 05 s');
  });

  it("reads the ended children's CPU time (user + system) from /proc/<pid>/stat, even with spaces in the command", () => {
    // fields 14-17: utime stime cutime cstime, in ticks of 1/100 s
    const stat = '23869 (node (tsx) x) S 23844 23839 19171 0 -1 4194304 125 0 9 0 71 10 1234 56 20 0 1 0';
    expect(childrenCpuSeconds(stat)).toBeCloseTo(12.9);
    expect(childrenCpuSeconds(stat, 1000)).toBeCloseTo(1.29);
    expect(childrenCpuSeconds(null)).toBeNull();
    expect(childrenCpuSeconds('1 (x) S 2 3')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { scoreReport, type Equivalent } from '../../../scripts/mutate';

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
    expect(s).toMatchObject({ killed: 2, survived: 1, noCoverage: 0, equivalent: 2 });
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
});

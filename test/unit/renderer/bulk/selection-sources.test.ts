import { describe, expect, it } from 'vitest';
import { csvTooLarge } from '../../../../src-renderer/lib/soa/bulk/csv-import';
import {
  emptyFilterProblem,
  filterLabel,
  savedSelectionObjects,
} from '../../../../src-renderer/bulk/selection-sources';
import { planOfRun } from '../../../../src-renderer/bulk/run-store';

const saved = (objectType: string, ids: string[]): string =>
  JSON.stringify({ version: 1, objectType, createdAt: '2026-01-01T00:00:00Z', description: 'mine', ids });

describe('selection sources', () => {
  it('a filter of blanks selects nothing in particular: refused, never "everything"', () => {
    expect(emptyFilterProblem({ namePrefix: '  ', mailDomain: '', company: '', department: '' })?.title).toBe(
      'No filter.',
    );
    expect(
      emptyFilterProblem({ namePrefix: '', mailDomain: 'contoso.com', company: '', department: '' }),
    ).toBeUndefined();
    expect(filterLabel({ namePrefix: ' A ', mailDomain: '', company: 'B', department: '' })).toBe(
      'filter: namePrefix "A", company "B"',
    );
  });

  it('a CSV over 10 MB is refused before it is read; one at the limit is read', () => {
    expect(csvTooLarge(10 * 1024 * 1024)).toBeUndefined();
    const r = csvTooLarge(10 * 1024 * 1024 + 1);
    expect(r).toMatchObject({ ok: false, fileError: { code: 'tooLarge' } });
  });

  it('a saved selection of another object type is a problem, not a selection', () => {
    const ok = savedSelectionObjects(saved('contact', ['a', 'b']), 'sel.json', 'contact');
    expect(ok).toMatchObject({ label: 'saved selection sel.json (mine)' });
    expect('objects' in ok && ok.objects.map((o) => o.id)).toEqual(['a', 'b']);
    const other = savedSelectionObjects(saved('group', ['a']), 'sel.json', 'contact');
    expect(other).toMatchObject({ problem: { title: 'Different object type.' } });
    expect(() => savedSelectionObjects('not json', 'x.json', 'contact')).toThrow();
  });

  it('a resume needs the plan: a file that is not a plan, or no plan at all, is a problem', () => {
    expect(planOfRun('run-1', '{"nope":1}')).toMatchObject({
      problem: { title: 'That file is not a soa-pilot plan.' },
    });
    expect(planOfRun('run-unknown')).toMatchObject({
      problem: { title: 'The plan of run run-unknown is not in this browser profile.' },
    });
  });
});

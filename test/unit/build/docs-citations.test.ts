/**
 * Comments cite the repository's own docs, never files outside it, issue numbers or section numbers,
 * and every `docs/….md#anchor` they cite exists (the headings of docs/reference are kept stable).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOTS = ['src-main', 'src-renderer', 'resources', 'test', 'scripts'];
const TEXT = /\.(ts|mts|svelte|js|mjs|ps1|psm1|psd1|md|sh|html|css)$/;
const SELF = path.normalize('test/unit/build/docs-citations.test.ts');

/** What a citation outside the repository looks like. */
const OUTSIDE = [
  { what: 'a path outside the repository', re: /\.\.\/shared\/|shared\/reference/ },
  { what: 'a section number', re: /§/ },
  { what: 'an issue number', re: /[Ii]ssue #?[0-9]/ },
];
const NO_FILE = ': no such file';
const CITATION = /docs\/([\w./-]+\.md)(?:#([\w-]+))?/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return TEXT.test(p) ? [p] : [];
  });
}

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  return new Set([...text.matchAll(/^#+\s+(.*)$/gm)].map((m) => slug(m[1] ?? '')));
}

function outsideCitations(text: string): string[] {
  return text
    .split('\n')
    .flatMap((line, i) =>
      OUTSIDE.filter((o) => o.re.test(line)).map((o) => `line ${i + 1}: ${o.what}: ${line.trim()}`),
    );
}

function brokenCitations(text: string): string[] {
  const broken: string[] = [];
  for (const m of text.matchAll(CITATION)) {
    const file = path.join('docs', m[1] ?? '');
    let anchors: Set<string>;
    try {
      anchors = anchorsOf(file);
    } catch {
      broken.push(`${m[0]}${NO_FILE}`);
      continue;
    }
    if (m[2] && !anchors.has(m[2])) broken.push(`${m[0]}: no such heading in ${file}`);
  }
  return broken;
}

const sources = ROOTS.flatMap(files).filter((f) => path.normalize(f) !== SELF);

describe('comments and READMEs cite docs/ in the repository', () => {
  it('cite nothing outside it: no ../shared paths, issue numbers or section numbers', () => {
    const found = sources.flatMap((f) => outsideCitations(readFileSync(f, 'utf8')).map((x) => `${f} ${x}`));
    expect(found).toEqual([]);
  });

  it('cite only docs pages and headings that exist', () => {
    const found = sources.flatMap((f) => brokenCitations(readFileSync(f, 'utf8')).map((x) => `${f}: ${x}`));
    expect(found).toEqual([]);
  });

  it('the checks see a bad citation', () => {
    // the path is assembled so that this test file does not itself cite a folder outside the repository
    expect(outsideCitations(`// see ${'..'}/${'shared'}/reference/x.md`)).toHaveLength(1);
    expect(outsideCitations('// the state table (reference §1.7)')).toHaveLength(1);
    expect(outsideCitations('// as issue 7 asks')).toHaveLength(1);
    expect(brokenCitations('// docs/reference/graph-and-identity.md#no-such-heading')).toHaveLength(1);
    expect(brokenCitations('// docs/reference/no-such-page.md')).toHaveLength(1);
    expect(brokenCitations('// docs/reference/graph-and-identity.md#throttling')).toEqual([]);
  });
});

/**
 * Neither the main process nor the renderer has an import cycle (type-only imports count: they tie the files
 * together just the same). An area's service module imports `service-module.ts`, never `services.ts`; the wizard
 * session names only the part of a run it keeps (`KeptRun`), never `wizard-run.svelte.ts`.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../../src-main');
const rendererRoot = path.resolve(__dirname, '../../../src-renderer');
const SOURCE = /\.(ts|svelte)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return SOURCE.test(p) ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(re)) {
      const t = m[1] ? resolveImport(f, m[1]) : null;
      if (t && SOURCE.test(t)) targets.push(t);
    }
    graph.set(f, targets);
  }
  return graph;
}

/** Every cycle's files, found by depth-first search (one path per cycle start). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const next of graph.get(n) ?? []) {
      const s = state.get(next);
      if (s === 'open') found.push(stack.slice(stack.indexOf(next)));
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

describe('main-process imports', () => {
  it('form no cycle', () => {
    const found = cycles(importGraph(sourceFiles(root))).map((c) => c.map((f) => path.relative(root, f)));
    expect(found).toEqual([]);
  });

  it('form no cycle in the renderer either (components and .svelte.ts modules included)', () => {
    const found = cycles(importGraph(sourceFiles(rendererRoot))).map((c) =>
      c.map((f) => path.relative(rendererRoot, f)),
    );
    expect(found).toEqual([]);
  });

  it('the cycle finder sees a planted cycle', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
  });
});

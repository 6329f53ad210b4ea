/**
 * Attribute a renderer's long tasks from a V8 CPU profile (`Profiler.stop` over CDP): every stretch of samples
 * without an idle sample that lasts longer than `minMs` is a long main-thread task; for each, the functions that
 * spent the most time in it (self time) and the outermost app functions it ran under (total time). Names are only
 * readable when the renderer is built unminified (`npx vite build --config vite.renderer.config.mts --minify false`).
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface LongTaskAttribution {
  /** ms from the start of the profile */
  startMs: number;
  durationMs: number;
  /** "name (file:line) 123 ms" of the top self-time functions */
  self: string[];
  /** "name (file:line) 123 ms" of the app frames the task's time was spent under (outermost first by total) */
  under: string[];
}

function label(f: CallFrame): string {
  const file = f.url ? f.url.split('/').pop() : '';
  return `${f.functionName || '(anonymous)'}${file ? ` (${file}:${f.lineNumber + 1})` : ''}`;
}

export function longTasksOf(profile: CpuProfile, minMs = 200, top = 6): LongTaskAttribution[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const out: LongTaskAttribution[] = [];
  let t = 0;
  let start = -1;
  let startT = 0;
  const close = (endIndex: number, endT: number): void => {
    const duration = (endT - startT) / 1000;
    if (duration >= minMs) {
      const self = new Map<string, number>();
      const under = new Map<string, number>();
      for (let i = start; i < endIndex; i++) {
        const id = samples[i] ?? 0;
        const dt = (deltas[i + 1] ?? 0) / 1000;
        const node = byId.get(id);
        if (!node) continue;
        self.set(label(node.callFrame), (self.get(label(node.callFrame)) ?? 0) + dt);
        // every distinct app frame on the stack (one count per sample)
        const seen = new Set<string>();
        for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
          const f = byId.get(p)?.callFrame;
          if (!f || !/\/assets\/|src-renderer/.test(f.url)) continue;
          const l = label(f);
          if (seen.has(l)) continue;
          seen.add(l);
          under.set(l, (under.get(l) ?? 0) + dt);
        }
      }
      const fmt = (m: Map<string, number>): string[] =>
        [...m]
          .sort((a, b) => b[1] - a[1])
          .slice(0, top)
          .map(([k, v]) => `${k} ${v.toFixed(0)} ms`);
      out.push({ startMs: startT / 1000, durationMs: duration, self: fmt(self), under: fmt(under) });
    }
    start = -1;
  };
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    const name = byId.get(samples[i] ?? 0)?.callFrame.functionName;
    const idle = name === '(idle)';
    if (!idle && start < 0) {
      start = i;
      startT = t;
    } else if (idle && start >= 0) close(i, t);
  }
  if (start >= 0) close(samples.length, t);
  return out;
}

/**
 * Loops over tens of thousands of objects run in slices: after about `SLICE_MS` of work they give the main
 * thread back (one macrotask), so input, rendering and other work go on between slices. A task longer than
 * 50 ms is a "long task" to Chromium and a frozen UI to the admin; the scale target is none over 200 ms
 * (docs/reference/tenant-scale.md#long-tasks).
 */

/** Work done between two yields (ms). */
export const SLICE_MS = 25;

/** How a slicer reads the time and gives the thread back (tests pass their own). */
export interface SliceEnvironment {
  now: () => number;
  yieldNow: () => Promise<void>;
}

/** Give the main thread back once: `scheduler.yield()` where Chromium has it (keeps this work's priority), else a macrotask. */
export function yieldToEventLoop(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof s?.yield === 'function') return s.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export const mainThread: SliceEnvironment = {
  now: () => performance.now(),
  yieldNow: yieldToEventLoop,
};

export class TimeSlicer {
  private sliceStart: number;
  private calls = 0;
  /** how often the thread was given back (for tests and the bench) */
  yields = 0;

  constructor(
    private readonly env: SliceEnvironment = mainThread,
    private readonly sliceMs = SLICE_MS,
  ) {
    this.sliceStart = env.now();
  }

  /**
   * Call once per unit of work: true when the current slice has run for `sliceMs` (the clock is read every 32
   * calls), i.e. `await slicer.yieldNow()` is due. Synchronous, so a loop pays no promise per item.
   */
  due(): boolean {
    if ((++this.calls & 31) !== 0) return false;
    return this.env.now() - this.sliceStart >= this.sliceMs;
  }

  /** Give the thread back now and start a new slice. */
  async yieldNow(): Promise<void> {
    this.yields++;
    await this.env.yieldNow();
    this.sliceStart = this.env.now();
  }
}

/** `items.map(fn)` in slices. */
export async function mapInSlices<T, U>(
  items: readonly T[],
  fn: (item: T, index: number) => U,
  slicer: TimeSlicer = new TimeSlicer(),
): Promise<U[]> {
  const out: U[] = new Array<U>(items.length);
  for (let i = 0; i < items.length; i++) {
    out[i] = fn(items[i] as T, i);
    if (slicer.due()) await slicer.yieldNow();
  }
  return out;
}

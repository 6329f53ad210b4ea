/**
 * The plan text a run remembers in `localStorage`: stored when it fits, not even tried when it cannot fit (the
 * attempt copies tens of megabytes at 50,000 objects only to throw QuotaExceededError).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLAN_STORE_MAX_CHARS, putRun, storedPlan } from '../../../../src-renderer/bulk/run-store';

/** A `localStorage` that records every key it was asked to set. */
class RecordingStorage {
  readonly items = new Map<string, string>();
  readonly setKeys: string[] = [];
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.setKeys.push(key);
    this.items.set(key, value);
  }
}

const record = {
  runId: 'bulk-t-20261202T070000-abc123',
  kind: 'transfer' as const,
  objectType: 'contact' as const,
  planned: 1,
  startedAt: '2026-12-02T07:00:00.000Z',
  status: 'running' as const,
};

describe('the plan text remembered for a run', () => {
  let store: RecordingStorage;
  beforeEach(() => {
    store = new RecordingStorage();
    (globalThis as { localStorage?: unknown }).localStorage = store;
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('is stored when it fits the quota', () => {
    const text = 'x'.repeat(PLAN_STORE_MAX_CHARS);
    putRun(record, text);
    expect(storedPlan(record.runId)).toBe(text);
  });

  it('is not even tried when it is longer than the quota allows (the run record is kept)', () => {
    putRun(record, 'x'.repeat(PLAN_STORE_MAX_CHARS + 1));
    expect(store.setKeys).toEqual(['soa-pilot.bulk.runs']);
    expect(storedPlan(record.runId)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { formatTimeSpan, parseTimeSpan } from '../../../../../src-main/lab/onprem/timespan.js';

describe('TimeSpan strings', () => {
  it('round-trips the .NET formats', () => {
    expect(parseTimeSpan('00:30:00')).toBe(1_800_000);
    expect(parseTimeSpan('7.00:00:00')).toBe(604_800_000);
    expect(formatTimeSpan(604_800_000)).toBe('7.00:00:00');
    expect(formatTimeSpan(5_400_000)).toBe('01:30:00');
    expect(parseTimeSpan('00:61:00')).toBeUndefined();
    expect(parseTimeSpan('half an hour')).toBeUndefined();
  });
});

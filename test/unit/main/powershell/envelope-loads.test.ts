/**
 * The envelope schema is built when the module loads, and zod refuses a broken discriminated union right there.
 * Imported inside a test, such a break is a failing test instead of a file that fails to load.
 */
import { describe, expect, it } from 'vitest';

describe('PowerShell envelope module', () => {
  it('loads and parses both kinds of envelope', async () => {
    const { envelope } = await import('../../../../src-main/powershell/envelope');
    expect(envelope.parse({ ok: true, data: 1 })).toEqual({ ok: true, data: 1 });
    expect(envelope.parse({ ok: false, error: { code: 'c', message: 'm', fqid: 'f', category: 'k' } })).toMatchObject({
      ok: false,
    });
  });
});

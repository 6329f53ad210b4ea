/**
 * The contract's schemas are built when the module loads, and zod refuses some broken ones right there (a
 * discriminated union whose option lacks the discriminator). A test file that imports the module at its top
 * then fails to load, which a test runner reports as a file error rather than as a failed test; this file
 * imports it inside a test, so such a break is a failing test.
 */
import { describe, expect, it } from 'vitest';

describe('IPC contract module', () => {
  it('loads and parses one value of each discriminated union', async () => {
    const { contract } = await import('../../../../src-main/ipc/contract');
    expect(contract['server.startSyncCycle'].output.parse({ status: 'stagingMode', message: 'm' })).toEqual({
      status: 'stagingMode',
      message: 'm',
    });
    const trace = {
      status: 'unknownDn',
      dn: 'CN=a',
      adConnector: { name: null, via: 'allConnectors', partition: null },
      message: 'm',
    };
    expect(contract['server.traceObject'].output.parse(trace)).toEqual(trace);
    const record = { kind: 'result', opId: 'o', outcome: 'done', verified: true };
    expect(contract['journal.append'].input.parse({ record })).toEqual({ record });
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, methodName, operationNames } from '../../../../src-main/ipc/contract';

describe('IPC contract', () => {
  it('names every operation <area>.<verb> with a unique preload method name', () => {
    const methods = operationNames.map(methodName);
    expect(new Set(methods).size).toBe(methods.length);
    for (const name of operationNames) expect(name).toMatch(/^[a-z]+\.[a-z][A-Za-z0-9]*$/);
    expect(methodName('auth.signInInteractive')).toBe('authSignInInteractive');
  });

  it('declares strict object inputs: unknown keys are rejected, not dropped', () => {
    for (const name of operationNames) {
      const input = contract[name].input as z.ZodType;
      const withExtra = input.safeParse({ __proto_pollution__: 1 });
      expect(withExtra.success, `${name} accepted an unknown key`).toBe(false);
    }
  });

  it('streaming operations take an operationId', () => {
    for (const name of operationNames) {
      const def = contract[name] as { progress?: z.ZodType; input: z.ZodType };
      if (!def.progress) continue;
      const shape = (def.input as z.ZodObject).shape as Record<string, unknown>;
      expect(Object.keys(shape), name).toContain('operationId');
    }
  });
});

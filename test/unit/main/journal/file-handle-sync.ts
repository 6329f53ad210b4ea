/**
 * A spy on the fsync of Node's file handles (`FileHandle.prototype.sync`). `node:fs/promises` does not
 * export the class, so its prototype is taken from a probe handle opened (and closed) in `dir`; the
 * probe file stays there.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { vi, type MockInstance } from 'vitest';

export async function spyOnHandleSync(dir: string): Promise<MockInstance<() => Promise<void>>> {
  const probe = await open(path.join(dir, 'probe'), 'w');
  const handleType = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  return vi.spyOn(handleType, 'sync');
}

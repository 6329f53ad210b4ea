import { createHash } from 'node:crypto';

/** The all-zero Guid (an unset reference, e.g. a rule's PrecedenceAfter or a lineage entry's LineageId). */
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** A stable, lower-case GUID derived from a name (SHA-1, version-5 layout, no namespace). */
export function guidFromName(name: string): string {
  const h = createHash('sha1').update(name, 'utf8').digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Entra connector-space DN: `CN={` + upper-case hex of the ASCII bytes of the base64 anchor + `}`. */
export function entraCsDn(anchor: string): string {
  return `CN={${Buffer.from(anchor, 'ascii').toString('hex').toUpperCase()}}`;
}

import { describe, expect, it } from 'vitest';
import { entraCsDn, guidFromName } from '../../../../../src-main/lab/onprem/guids.js';

describe('derived ids', () => {
  it('are stable GUIDs and the Entra CS DN is the hex of the anchor text', () => {
    expect(guidFromName('x')).toBe(guidFromName('x'));
    expect(guidFromName('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(entraCsDn('IH4p==')).toBe('CN={494834703D3D}');
  });
});

import { describe, expect, it } from 'vitest';
import { registrationGuide } from '../../../../../src-renderer/lib/graph/registration-guide';
import { STEP_SCOPES } from '../../../../../src-renderer/lib/graph/scopes';

describe('registration guide', () => {
  it('lists every delegated permission of the chosen steps once, with the loopback redirect', () => {
    const g = registrationGuide(['contacts', 'audit']);
    expect(g.permissions.map((p) => p.scope)).toEqual([...STEP_SCOPES.contacts, ...STEP_SCOPES.audit]);
    expect(g.steps.join('\n')).toMatch(/Mobile and desktop applications → redirect URI http:\/\/localhost/);
    expect(g.permissions.map((p) => p.scope)).not.toContain('OrgContact-OnPremisesSyncBehavior.ReadWrite.All');
  });
});

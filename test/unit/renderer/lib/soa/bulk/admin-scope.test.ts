/**
 * The signed-in admin's Hybrid Administrator scope, read from their role assignments: tenant-wide, a set of
 * administrative units, or none. Each rule has its failing case: another role, a scope that is no unit, a field
 * that is not a string, a failed read of the admin.
 */
import { describe, expect, it } from 'vitest';
import { resolveAdminScope } from '../../../../../../src-renderer/lib/soa/bulk/plan';
import { ScriptedGraph, denied, ok, page, type Scripted } from './scripted-graph';
import { virtualClock } from './pipeline-fixture';

const HYBRID = '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2';
const GLOBAL = '62e90394-69f5-4237-9190-012177145e10';
const OTHER = 'fe930be7-5e62-47db-91af-98c3a49a38b1'; // User Administrator
const ASSIGNMENTS = '/roleManagement/directory/roleAssignments';

function graph(assignments: Scripted, me: Scripted = ok({ id: 'me-1' })): ScriptedGraph {
  return new ScriptedGraph({ '/me': me, [ASSIGNMENTS]: assignments });
}
const assignment = (roleDefinitionId: unknown, directoryScopeId: unknown): Record<string, unknown> => ({
  id: 'a',
  principalId: 'me-1',
  roleDefinitionId,
  directoryScopeId,
});
const scopeOf = (...a: Record<string, unknown>[]): ReturnType<typeof resolveAdminScope> =>
  resolveAdminScope(graph(page(...a)), { clock: virtualClock() });

describe("the admin's scope", () => {
  it("reads the admin, then the admin's role assignments, with the role-reading scopes", async () => {
    const g = graph(page(assignment(HYBRID, '/')));
    expect(await resolveAdminScope(g, { clock: virtualClock() })).toEqual({ kind: 'tenant' });
    expect(g.urls).toEqual(['/me?$select=id', `${ASSIGNMENTS}?$filter=principalId%20eq%20'me-1'`]);
    expect(g.scopes).toEqual([
      ['RoleManagement.Read.Directory', 'User.Read'],
      ['RoleManagement.Read.Directory', 'User.Read'],
    ]);
  });

  it('is the tenant for a Hybrid or Global Administrator assigned at the root', async () => {
    expect(await scopeOf(assignment(HYBRID, '/'))).toEqual({ kind: 'tenant' });
    expect(await scopeOf(assignment(GLOBAL, '/'))).toEqual({ kind: 'tenant' });
    // the root wins over units assigned before it
    expect(await scopeOf(assignment(HYBRID, '/administrativeUnits/au-1'), assignment(GLOBAL, '/'))).toEqual({
      kind: 'tenant',
    });
  });

  it('is the administrative units the role is assigned on, in order', async () => {
    expect(
      await scopeOf(assignment(HYBRID, '/administrativeUnits/au-1'), assignment(GLOBAL, '/administrativeUnits/au-2')),
    ).toEqual({ kind: 'administrativeUnits', ids: ['au-1', 'au-2'] });
  });

  it('is none for another role, for scopes that are no unit, and for fields that are not strings', async () => {
    expect(await scopeOf(assignment(OTHER, '/'))).toEqual({ kind: 'none' });
    expect(await scopeOf(assignment(OTHER, '/administrativeUnits/au-1'))).toEqual({ kind: 'none' });
    expect(await scopeOf()).toEqual({ kind: 'none' });
    expect(await scopeOf(assignment(HYBRID, '/users/u-1'))).toEqual({ kind: 'none' });
    expect(await scopeOf(assignment(HYBRID, '/administrativeUnits/'))).toEqual({ kind: 'none' });
    expect(await scopeOf(assignment(HYBRID, '/x/administrativeUnits/au-1'))).toEqual({ kind: 'none' });
    expect(await scopeOf(assignment(HYBRID, '/administrativeUnits/au-1\n/'))).toEqual({ kind: 'none' });
    expect(await scopeOf(assignment(undefined, '/'))).toEqual({ kind: 'none' });
    expect(await scopeOf(assignment(HYBRID, ['/administrativeUnits/au-1']))).toEqual({ kind: 'none' });
    expect(await scopeOf(assignment(HYBRID, undefined))).toEqual({ kind: 'none' });
  });

  it('fails, naming the status, when the admin cannot be read', async () => {
    await expect(resolveAdminScope(graph(page(), denied), { clock: virtualClock() })).rejects.toThrow(
      'Could not read the signed-in admin (HTTP 403).',
    );
    await expect(
      resolveAdminScope(graph(page(), ok({ displayName: 'no id' })), { clock: virtualClock() }),
    ).rejects.toThrow('Could not read the signed-in admin (HTTP 200).');
    await expect(
      resolveAdminScope(graph(page(), { status: 203, body: { id: 'me-1' } }), { clock: virtualClock() }),
    ).rejects.toThrow('Could not read the signed-in admin (HTTP 203).');
  });

  it("waits on the caller's clock", async () => {
    const clock = virtualClock();
    const me: Scripted = (attempt) =>
      attempt === 1 ? { status: 429, headers: { 'Retry-After': '1' }, body: {} } : ok({ id: 'me-1' });
    expect(await resolveAdminScope(graph(page(assignment(HYBRID, '/')), me), { clock })).toEqual({ kind: 'tenant' });
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000);
  });
});

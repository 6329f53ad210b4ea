/**
 * The one on-premises object a run may change. The renderer only names a DN; main decides whether
 * that DN is the object the server itself resolved for the run:
 *
 * - `server.findOnPremContact` records every contact it returns (with its objectGUID), and a lookup
 *   with exactly one match picks it;
 * - `server.traceObject` of a recorded contact picks it (the wizard traces the DN the admin chose); a
 *   traced DN not recorded yet (after a restart) is first looked up as a contact by the server.
 *
 * `server.touchOnPremObject` and `server.restoreOnPremObject` then accept only the picked DN, and pass
 * its objectGUID and object class to PowerShell, which re-reads the object and refuses any other
 * object (a user, a group, or another contact under a reused DN). See docs/security.md.
 */
import { OperationError } from '../ipc/errors';
import type { OnPremContact } from '../ipc/contract';

export type OnPremObjectClass = 'contact' | 'user' | 'group';

export interface PickedTarget {
  dn: string;
  objectGuid: string;
  objectClass: OnPremObjectClass;
}

/** Resolved objects kept for picking (a bulk lookup resolves thousands; older ones drop off). */
const MAX_RESOLVED = 20_000;

/** DN comparison ignoring case and spaces around RDN separators and `=`. */
export function dnKey(dn: string): string {
  return dn
    .split(/(?<!\\),/)
    .map((rdn) => rdn.trim().replace(/\s*=\s*/, '='))
    .join(',')
    .toLowerCase();
}

export class PickedOnPremObject {
  private readonly resolved = new Map<string, PickedTarget>();
  private picked: PickedTarget | undefined;

  /** Record what a server-side contact lookup returned; a single match becomes the picked object. */
  recordContacts(matches: readonly OnPremContact[]): void {
    for (const m of matches) {
      if (!m.objectGuid) continue;
      const key = dnKey(m.distinguishedName);
      this.resolved.delete(key);
      this.resolved.set(key, { dn: m.distinguishedName, objectGuid: m.objectGuid, objectClass: 'contact' });
      if (this.resolved.size > MAX_RESOLVED) {
        const oldest = this.resolved.keys().next().value;
        if (oldest !== undefined) this.resolved.delete(oldest);
      }
    }
    const only = matches.length === 1 ? matches[0] : undefined;
    if (only) this.pickIfResolved(only.distinguishedName);
  }

  /** A trace of a DN the server resolved picks that object; any other DN changes nothing. */
  pickIfResolved(dn: string): void {
    const target = this.resolved.get(dnKey(dn));
    if (target) this.picked = target;
  }

  isResolved(dn: string): boolean {
    return this.resolved.has(dnKey(dn));
  }

  current(): PickedTarget | undefined {
    return this.picked;
  }

  /** The picked object when `dn` names it; otherwise a refusal that says what to do. */
  require(dn: string): PickedTarget {
    const p = this.picked;
    if (!p) {
      throw new OperationError(
        'refused',
        'soa-pilot changes an on-premises object only after it has looked it up for this run. Pick the contact again (step 2, “Pick the contact”), then retry.',
      );
    }
    if (dnKey(dn) !== dnKey(p.dn)) {
      throw new OperationError(
        'refused',
        `soa-pilot changes only the on-premises object picked for this run (${p.dn}), not ${dn}. Pick that object again if you meant it, then retry.`,
      );
    }
    return p;
  }
}

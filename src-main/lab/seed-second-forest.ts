/**
 * The seed scenario `twoForests`: besides the server's own forest (contoso.com), a second forest,
 * fabrikam.com, synced by the same Connect Sync server through its own AD connector (partition
 * DC=fabrikam,DC=com) — contacts synced, and one whose Source of Authority is already in the cloud.
 * Deterministic from the seed number, drawn from its own random sequence so the first forest keeps its ids.
 */
import type { OnPremSeedObject } from './ports';
import type { DirObject, TenantState } from './tenant/model';
import { FIRST, LAST, DEPARTMENTS, blankObject, createRng, rngUuid, syncFromAd, toSeedObject } from './seed';

export const SECOND_FOREST = 'fabrikam.com';
export const SECOND_FOREST_CONTACTS_OU = 'OU=Contacts,DC=fabrikam,DC=com';

/** Adds the second forest's contacts to a seeded tenant (in place) and returns their AD objects. */
export function seedSecondForest(tenant: TenantState, seed: number, now: number): OnPremSeedObject[] {
  const rng = createRng((seed * 6007 + 90_001) >>> 0);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
  const created = new Date(now - 300 * 24 * 3600_000).toISOString();
  const lastSync = new Date(now - 6 * 60_000).toISOString();
  const used = new Set<string>();
  const onPrem: OnPremSeedObject[] = [];
  const contacts: DirObject[] = [];
  for (let i = 0; i < 8; i++) {
    let name = `${pick(FIRST)} ${pick(LAST)}`;
    while (used.has(name)) name = `${pick(FIRST)} ${pick(LAST)}`;
    used.add(name);
    const [first = '', last = ''] = name.split(' ');
    const o = blankObject(rngUuid(rng), 'contact', name, created);
    const guid = rngUuid(rng);
    const dn = `CN=${name},${SECOND_FOREST_CONTACTS_OU}`;
    o.givenName = first;
    o.surname = last;
    o.companyName = 'Fabrikam';
    o.department = pick(DEPARTMENTS);
    o.mail = `${first}.${last}`.toLowerCase().replace(/[^a-z0-9.]/g, '') + '@fabrikam-partners.example';
    o.mailNickname = o.mail.split('@')[0]?.replace(/\./g, '') ?? null;
    o.description = 'Fabrikam forest contact';
    syncFromAd(o, guid, dn, lastSync);
    tenant.objects[o.id] = o;
    contacts.push(o);
    onPrem.push(toSeedObject(o, guid, []));
  }
  // the last one is already transferred: its SOA is in the cloud
  const transferred = contacts.at(-1);
  if (transferred) {
    transferred.isCloudManaged = true;
    transferred.onPremisesSyncEnabled = null;
  }
  return onPrem;
}

/**
 * The seed scenario `bothEngines`: besides the Connect Sync forest (contoso.com), a second AD
 * domain, adatum.com, provisioned by Cloud Sync — one configuration (service principal + job), and
 * contacts, users and groups in each state (synced, transferred, rolled back awaiting takeover).
 * Deterministic from the seed number, drawn from its own random sequence so the Connect Sync
 * half keeps its ids.
 */
import type { OnPremSeedObject } from '../ports';
import type { DirObject, TenantState } from '../tenant/model';
import { FIRST, LAST, DEPARTMENTS, blankObject, createRng, rngUuid, syncFromAd, toSeedObject } from '../seed';
import type { CloudSyncConfiguration } from './model';

export const CLOUD_SYNC_DOMAIN = 'adatum.com';
export const CLOUD_SYNC_DOMAIN_DN = 'DC=adatum,DC=com';
export const CLOUD_SYNC_CONTACTS_OU = `OU=Partner Contacts,${CLOUD_SYNC_DOMAIN_DN}`;
const CLOUD_SYNC_USERS_OU = `OU=Staff,${CLOUD_SYNC_DOMAIN_DN}`;
const CLOUD_SYNC_GROUPS_OU = `OU=Groups,${CLOUD_SYNC_DOMAIN_DN}`;

/** The provisioning agent version the scenario puts on the simulated server (the documented SOA floor). */
export const CLOUD_SYNC_AGENT_SEED_VERSION = '1.1.1370.0';

/**
 * Seed scenarios: `connectSync` (the default, one forest on Connect Sync), `bothEngines`, `cloudSyncDomains`
 * (`bothEngines` plus more Cloud Sync configurations, one per domain), or `twoForests` (a second forest on the same
 * Connect Sync server, src-main/lab/seed-second-forest.ts).
 */
export const SEED_SCENARIOS = ['connectSync', 'bothEngines', 'twoForests', 'cloudSyncDomains'] as const;
export type SeedScenario = (typeof SEED_SCENARIOS)[number];

/** Adds the Cloud Sync domain to a seeded tenant (in place) and returns its AD objects. */
export function seedCloudSync(tenant: TenantState, seed: number, now: number): OnPremSeedObject[] {
  const rng = createRng((seed * 7919 + 104_729) >>> 0);
  const uuid = (): string => rngUuid(rng);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
  const created = new Date(now - 200 * 24 * 3600_000).toISOString();
  const lastSync = new Date(now - 4 * 60_000).toISOString();
  const onPrem: OnPremSeedObject[] = [];
  const used = new Set<string>();

  const anchored = (o: DirObject, dn: string, memberOf: string[] = []): void => {
    const guid = uuid();
    syncFromAd(o, guid, dn, lastSync);
    tenant.objects[o.id] = o;
    onPrem.push(toSeedObject(o, guid, memberOf));
  };

  const contact = (): DirObject => {
    let first = pick(FIRST);
    let last = pick(LAST);
    while (used.has(`${first} ${last}`)) {
      first = pick(FIRST);
      last = pick(LAST);
    }
    used.add(`${first} ${last}`);
    const o = blankObject(uuid(), 'contact', `${first} ${last}`, created);
    o.givenName = first;
    o.surname = last;
    o.companyName = 'A. Datum Partners';
    o.department = pick(DEPARTMENTS);
    o.mail = `${first}.${last}`.toLowerCase().replace(/[^a-z0-9.]/g, '') + '@adatum-partners.example';
    o.mailNickname = o.mail.split('@')[0]?.replace(/\./g, '') ?? null;
    o.description = 'Adatum partner contact (Cloud Sync)';
    anchored(o, `CN=${o.displayName},${CLOUD_SYNC_CONTACTS_OU}`);
    return o;
  };

  const contacts: DirObject[] = [];
  for (let i = 0; i < 12; i++) contacts.push(contact());
  const transferred = contact();
  transferred.isCloudManaged = true;
  transferred.onPremisesSyncEnabled = null;
  const rolledBack = contact();
  rolledBack.onPremisesSyncEnabled = null;
  rolledBack.takeover = 'rolledBack';

  for (let i = 0; i < 3; i++) {
    const first = pick(FIRST);
    const last = `${pick(LAST)}${i}`;
    const o = blankObject(uuid(), 'user', `${first} ${last}`, created);
    o.givenName = first;
    o.surname = last;
    o.companyName = 'A. Datum';
    o.department = pick(DEPARTMENTS);
    o.userPrincipalName = `${first}.${last}`.toLowerCase() + `@${CLOUD_SYNC_DOMAIN}`;
    o.mail = o.userPrincipalName;
    o.mailNickname = `${first}${last}`.toLowerCase();
    anchored(o, `CN=${first} ${last},${CLOUD_SYNC_USERS_OU}`);
  }

  const groupDn = (name: string): string => `CN=${name},${CLOUD_SYNC_GROUPS_OU}`;
  const partners = blankObject(uuid(), 'group', 'ADATUM-Partners', created);
  partners.mailEnabled = true;
  partners.mail = 'adatum-partners@adatum.com';
  partners.mailNickname = 'adatumpartners';
  partners.description = 'Adatum partner contacts (Cloud Sync)';
  partners.members = contacts.slice(0, 5).map((c) => c.id);
  const readers = blankObject(uuid(), 'group', 'ADATUM-Readers', created);
  readers.securityEnabled = true;
  readers.description = 'Adatum readers (SOA transferred)';
  readers.isCloudManaged = true;
  // groups go first in the on-prem list so member back-links resolve
  anchored(partners, groupDn(partners.displayName));
  anchored(readers, groupDn(readers.displayName));
  readers.onPremisesSyncEnabled = null;
  for (const c of contacts.slice(0, 5)) {
    const s = onPrem.find((x) => x.cloudId === c.id);
    if (s) s.memberOf.push(groupDn(partners.displayName));
  }

  const cfg = configurationFor(uuid, CLOUD_SYNC_DOMAIN, 'ADATUM', CLOUD_SYNC_DOMAIN, 'ADATUM');
  tenant.cloudSync = { configurations: [cfg], log: [] };
  return onPrem;
}

/** The second Cloud Sync domain of the scenario `cloudSyncDomains` (its own configuration). */
export const SECOND_CLOUD_SYNC_DOMAIN = 'litware.com';
export const SECOND_CLOUD_SYNC_DOMAIN_DN = 'DC=litware,DC=com';
/** A child domain of adatum.com with its own configuration and no objects: DomainFQDN must match exactly. */
export const CHILD_CLOUD_SYNC_DOMAIN = 'emea.adatum.com';

function configurationFor(
  uuid: () => string,
  domain: string,
  netBios: string,
  forest: string,
  forestNetBios: string,
): CloudSyncConfiguration {
  return {
    servicePrincipalId: uuid(),
    appId: uuid(),
    jobId: `AD2AADProvisioning.${uuid().replace(/-/g, '')}`,
    ruleId: uuid(),
    domain,
    domainNetBios: netBios,
    forest,
    forestNetBios,
    domainDn: domain
      .split('.')
      .map((p) => `DC=${p}`)
      .join(','),
    nextCycleAtMs: 0,
    cyclesRun: 0,
    baselineTaken: false,
    lastExecution: null,
    processedUsn: {},
    paused: false,
    // what the portal stores when it creates the configuration (write-only: never answered by Graph)
    secrets: [{ key: 'Domain', value: JSON.stringify({ domain }) }],
  };
}

/**
 * The scenario `cloudSyncDomains`, on top of `bothEngines`: several Cloud Sync configurations, one per AD domain
 * (docs/reference/cloud-sync.md#several-configurations) — litware.com (its own service principal and job; 3 synced
 * contacts and 1 transferred) and emea.adatum.com (a child domain of adatum.com, no objects). Adds to a tenant that
 * `seedCloudSync` already seeded; returns the new AD objects.
 */
export function seedMoreCloudSyncDomains(tenant: TenantState, seed: number, now: number): OnPremSeedObject[] {
  const rng = createRng((seed * 6151 + 15_485_863) >>> 0);
  const uuid = (): string => rngUuid(rng);
  const created = new Date(now - 120 * 24 * 3600_000).toISOString();
  const lastSync = new Date(now - 3 * 60_000).toISOString();
  const ou = `OU=Contacts,${SECOND_CLOUD_SYNC_DOMAIN_DN}`;
  const onPrem: OnPremSeedObject[] = [];
  const names = ['Ines Fabre', 'Olaf Brandt', 'Mira Koenig', 'Tobias Lund'];
  names.forEach((name, i) => {
    const [first = name, last = name] = name.split(' ');
    const o = blankObject(uuid(), 'contact', name, created);
    o.givenName = first;
    o.surname = last;
    o.companyName = 'Litware Suppliers';
    o.department = 'Procurement';
    o.mail = `${first}.${last}`.toLowerCase() + '@litware-suppliers.example';
    o.mailNickname = `${first}${last}`.toLowerCase();
    o.description = 'Litware supplier contact (Cloud Sync)';
    const guid = uuid();
    syncFromAd(o, guid, `CN=${name},${ou}`, lastSync);
    if (i === names.length - 1) {
      // the transferred one: SOA in the cloud
      o.isCloudManaged = true;
      o.onPremisesSyncEnabled = null;
    }
    tenant.objects[o.id] = o;
    onPrem.push(toSeedObject(o, guid, []));
  });
  const state = tenant.cloudSync ?? (tenant.cloudSync = { configurations: [], log: [] });
  state.configurations.push(
    configurationFor(uuid, SECOND_CLOUD_SYNC_DOMAIN, 'LITWARE', SECOND_CLOUD_SYNC_DOMAIN, 'LITWARE'),
    configurationFor(uuid, CHILD_CLOUD_SYNC_DOMAIN, 'EMEA', CLOUD_SYNC_DOMAIN, 'ADATUM'),
  );
  return onPrem;
}

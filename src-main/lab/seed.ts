/**
 * The lab's seed: a realistic contoso tenant, deterministic from a seed number.
 * Produces the cloud state (`TenantState`) and the AD objects the on-premises half puts in its forest.
 */
import type { OnPremSeedObject } from './ports';
import {
  LAB_APP_SCOPES,
  ROLE,
  type AdminRecord,
  type AdministrativeUnit,
  type DirObject,
  type PermissionGrant,
  type RoleAssignment,
  type TenantState,
} from './tenant/model';

export const LAB_TENANT_DOMAIN = 'contoso.onmicrosoft.com';
export const LAB_FOREST = 'contoso.com';
export const LAB_CLIENT_ID = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
/** Fixed so that LabInfo (authority, tenantId) survives a reset with another seed. */
export const LAB_TENANT_ID = '7a3c1e2b-5d4f-4e8a-9b6c-0d1e2f3a4b5c';
export const LAB_CONTACTS_OU = 'OU=Contacts,DC=contoso,DC=com';
const USERS_OU = 'OU=Users,OU=Corp,DC=contoso,DC=com';
const GROUPS_OU = 'OU=Groups,OU=Corp,DC=contoso,DC=com';

/** mulberry32: small, fast, deterministic. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function rngUuid(rng: () => number): string {
  const b: number[] = [];
  for (let i = 0; i < 16; i++) b.push(Math.floor(rng() * 256));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** objectGUID string → base64 of its .NET byte order (the sourceAnchor / ms-DS-ConsistencyGuid form). */
export function guidToAnchor(guid: string): string {
  const hex = guid.replace(/-/g, '');
  const bytes = Buffer.from(hex, 'hex');
  const swapped = Buffer.from([
    bytes[3] ?? 0,
    bytes[2] ?? 0,
    bytes[1] ?? 0,
    bytes[0] ?? 0,
    bytes[5] ?? 0,
    bytes[4] ?? 0,
    bytes[7] ?? 0,
    bytes[6] ?? 0,
    ...bytes.subarray(8),
  ]);
  return swapped.toString('base64');
}

export const FIRST = [
  'Adele',
  'Alex',
  'Allan',
  'Amara',
  'Anders',
  'Ana',
  'Arjun',
  'Astrid',
  'Bianca',
  'Bruno',
  'Camille',
  'Carlos',
  'Chen',
  'Chiara',
  'Christie',
  'Daniel',
  'Diego',
  'Elif',
  'Emily',
  'Enrico',
  'Erik',
  'Fatima',
  'Felix',
  'Grace',
  'Hana',
  'Hannah',
  'Henrik',
  'Isaac',
  'Isabel',
  'Ivan',
  'Jakob',
  'Jana',
  'Joni',
  'Jonas',
  'Julia',
  'Kai',
  'Karin',
  'Kenji',
  'Laila',
  'Lars',
  'Lee',
  'Lidia',
  'Lucas',
  'Lynne',
  'Maja',
  'Malik',
  'Marco',
  'Maria',
  'Megan',
  'Miriam',
  'Nestor',
  'Nadia',
  'Noah',
  'Olga',
  'Omar',
  'Patti',
  'Pedro',
  'Priya',
  'Rafael',
  'Ravi',
  'Rosa',
  'Sakura',
  'Sami',
  'Sara',
  'Sofia',
  'Stefan',
  'Tomas',
  'Valentina',
  'Wei',
  'Yusuf',
  'Zoe',
  'Zofia',
];
export const LAST = [
  'Wilber',
  'Vance',
  'Deyoung',
  'Okafor',
  'Lindqvist',
  'Silva',
  'Patel',
  'Nilsen',
  'Rossi',
  'Costa',
  'Dubois',
  'Garcia',
  'Wang',
  'Bianchi',
  'Cline',
  'Novak',
  'Fernandez',
  'Yilmaz',
  'Braun',
  'Moretti',
  'Johansson',
  'Haddad',
  'Weber',
  'Taylor',
  'Sato',
  'Schmidt',
  'Larsen',
  'Cohen',
  'Martins',
  'Petrov',
  'Fischer',
  'Horvat',
  'Sherman',
  'Berg',
  'Meyer',
  'Tanaka',
  'Nakamura',
  'Rahman',
  'Jensen',
  'Kim',
  'Lopez',
  'Ochoa',
  'Rivera',
  'Andersson',
  'Kowalski',
  'Hussain',
  'Conti',
  'Santos',
  'Bowen',
  'Klein',
  'Zeller',
  'Ivanova',
  'Murphy',
  'Mensah',
  'Fujita',
  'Iyer',
  'Pereira',
  'Esposito',
  'Brown',
  'Gupta',
  'Ortiz',
  'Hoffmann',
  'Dvorak',
  'Chang',
  'Yamamoto',
  'Mueller',
  'Wojcik',
];
const COMPANIES: { name: string; domain: string }[] = [
  { name: 'Fabrikam, Inc.', domain: 'fabrikam.com' },
  { name: 'Litware, Inc.', domain: 'litwareinc.com' },
  { name: 'Adventure Works Cycles', domain: 'adventure-works.com' },
  { name: 'Northwind Traders', domain: 'northwindtraders.com' },
  { name: 'Tailspin Toys', domain: 'tailspintoys.com' },
  { name: 'Wingtip Toys', domain: 'wingtiptoys.com' },
  { name: 'Proseware, Inc.', domain: 'proseware.com' },
  { name: 'Wide World Importers', domain: 'wideworldimporters.com' },
  { name: 'Alpine Ski House', domain: 'alpineskihouse.com' },
  { name: 'Woodgrove Bank', domain: 'woodgrovebank.com' },
  { name: 'Lucerne Publishing', domain: 'lucernepublishing.com' },
  { name: "Margie's Travel", domain: 'margiestravel.com' },
  { name: 'Trey Research', domain: 'treyresearch.net' },
  { name: 'Fourth Coffee', domain: 'fourthcoffee.com' },
  { name: 'Coho Winery', domain: 'cohowinery.com' },
  { name: 'Relecloud', domain: 'relecloud.com' },
];
export const DEPARTMENTS = [
  'Sales',
  'Purchasing',
  'Legal',
  'Finance',
  'Logistics',
  'Engineering',
  'Marketing',
  'Support',
  'Research',
  'Operations',
];
const TITLES = [
  'Account Manager',
  'Buyer',
  'Counsel',
  'Controller',
  'Dispatcher',
  'Engineer',
  'Consultant',
  'Partner Manager',
  'Analyst',
  'Director',
];

export interface SeedOptions {
  seed: number;
  /** number of synced contacts (default 2,000) */
  contacts?: number;
  /**
   * Extra synced users and groups for scale runs (default 0): generated after everything else, so a
   * seed number gives the same ids with or without them. Each extra group holds up to 20 extra users.
   */
  users?: number;
  groups?: number;
  /** lab clock at seed time (ms) */
  now: number;
}

export interface SeedResult {
  tenant: TenantState;
  onPrem: OnPremSeedObject[];
}

function pick<T>(rng: () => number, list: readonly T[]): T {
  const v = list[Math.floor(rng() * list.length)];
  if (v === undefined) throw new Error('empty list');
  return v;
}

export function blankObject(
  id: string,
  kind: DirObject['kind'],
  displayName: string,
  createdDateTime: string,
): DirObject {
  return {
    id,
    kind,
    displayName,
    givenName: null,
    surname: null,
    mail: null,
    mailNickname: null,
    companyName: null,
    department: null,
    jobTitle: null,
    description: null,
    userPrincipalName: null,
    anchor: null,
    onPremisesDistinguishedName: null,
    onPremisesSyncEnabled: null,
    onPremisesLastSyncDateTime: null,
    isCloudManaged: false,
    takeover: 'none',
    createdDateTime,
    members: [],
    mailEnabled: false,
    securityEnabled: false,
    groupTypes: [],
  };
}

export const FULL_CONSENT: readonly string[] = LAB_APP_SCOPES;

export function seedTenant(opts: SeedOptions): SeedResult {
  const rng = createRng(opts.seed);
  const uuid = (): string => rngUuid(rng);
  const created = new Date(opts.now - 400 * 24 * 3600_000).toISOString();
  const lastSync = new Date(opts.now - 12 * 60_000).toISOString();
  const tenantId = LAB_TENANT_ID;
  const objects: Record<string, DirObject> = {};
  const onPrem: OnPremSeedObject[] = [];
  const syncedCount = opts.contacts ?? 2000;
  const usedCn = new Set<string>();
  const nextCn = new Map<string, number>();

  function anchored(o: DirObject, dn: string): string {
    const guid = uuid();
    syncFromAd(o, guid, dn, lastSync);
    return guid;
  }

  function makeContact(mode: 'synced' | 'cloud'): DirObject {
    const first = pick(rng, FIRST);
    const last = pick(rng, LAST);
    const company = pick(rng, COMPANIES);
    const base = `${first} ${last}`;
    // the next free "(n)" suffix per name, without probing every taken one (50,000-contact seeds)
    let n = nextCn.get(base) ?? 1;
    let cn = n === 1 ? base : `${base} (${n})`;
    while (usedCn.has(cn)) cn = `${base} (${++n})`;
    nextCn.set(base, n + 1);
    usedCn.add(cn);
    const o = blankObject(uuid(), 'contact', cn, created);
    o.givenName = first;
    o.surname = last;
    o.companyName = company.name;
    o.department = pick(rng, DEPARTMENTS);
    o.jobTitle = pick(rng, TITLES);
    const mailEnabled = rng() < 0.7;
    if (mailEnabled) {
      const local = `${first}.${last}${cn.endsWith(')') ? String(usedCn.size) : ''}`
        .toLowerCase()
        .replace(/[^a-z0-9.]/g, '');
      o.mail = `${local}@${company.domain}`;
      o.mailNickname = local.replace(/\./g, '');
    }
    o.description = mode === 'synced' ? `External contact (${company.name})` : `Cloud contact (${company.name})`;
    objects[o.id] = o;
    return o;
  }

  const synced: DirObject[] = [];
  const contactGuid = new Map<string, string>();
  for (let i = 0; i < syncedCount; i++) {
    const o = makeContact('synced');
    contactGuid.set(o.id, anchored(o, `CN=${o.displayName.replace(/,/g, '\\,')},${LAB_CONTACTS_OU}`));
    synced.push(o);
  }
  // a few already transferred, a couple rolled back but not yet taken over
  const transferredCount = Math.max(3, Math.round(syncedCount * 0.003));
  const transferred: DirObject[] = [];
  for (let i = 0; i < transferredCount; i++) {
    const o = makeContact('synced');
    contactGuid.set(o.id, anchored(o, `CN=${o.displayName},${LAB_CONTACTS_OU}`));
    o.isCloudManaged = true;
    o.onPremisesSyncEnabled = null;
    transferred.push(o);
  }
  const pending: DirObject[] = [];
  for (let i = 0; i < 2; i++) {
    const o = makeContact('synced');
    contactGuid.set(o.id, anchored(o, `CN=${o.displayName},${LAB_CONTACTS_OU}`));
    o.onPremisesSyncEnabled = null;
    o.takeover = 'rolledBack';
    pending.push(o);
  }
  const cloudCount = Math.max(3, Math.round(syncedCount * 0.02));
  const cloudContacts: DirObject[] = [];
  for (let i = 0; i < cloudCount; i++) cloudContacts.push(makeContact('cloud'));

  // users: a few synced, a few cloud-native
  const syncedUsers: DirObject[] = [];
  const userGuid = new Map<string, string>();
  const mkUser = (first: string, last: string, syncedUser: boolean, dept: string): DirObject => {
    const upnLocal = `${first}.${last}`.toLowerCase();
    const o = blankObject(uuid(), 'user', `${first} ${last}`, created);
    o.givenName = first;
    o.surname = last;
    o.department = dept;
    o.companyName = 'Contoso';
    o.jobTitle = pick(rng, TITLES);
    o.userPrincipalName = `${upnLocal}@${syncedUser ? LAB_FOREST : LAB_TENANT_DOMAIN}`;
    o.mail = o.userPrincipalName;
    o.mailNickname = upnLocal.replace(/\./g, '');
    objects[o.id] = o;
    if (syncedUser) userGuid.set(o.id, anchored(o, `CN=${first} ${last},${USERS_OU}`));
    return o;
  };
  for (let i = 0; i < 8; i++)
    syncedUsers.push(mkUser(pick(rng, FIRST), pick(rng, LAST) + String(i), true, pick(rng, DEPARTMENTS)));
  const cloudUsers: DirObject[] = [];
  for (let i = 0; i < 3; i++) cloudUsers.push(mkUser(pick(rng, FIRST), `Cloud${i}`, false, pick(rng, DEPARTMENTS)));

  // groups: on-premises (synced) distribution/security groups, cloud groups, one transferred, nesting
  const groupGuid = new Map<string, string>();
  const mkGroup = (name: string, kind: 'onprem' | 'cloud', mail: boolean, description: string): DirObject => {
    const o = blankObject(uuid(), 'group', name, created);
    o.description = description;
    o.mailEnabled = mail;
    o.securityEnabled = !mail;
    if (mail) {
      o.mailNickname = name.replace(/[^A-Za-z0-9]/g, '');
      o.mail = `${o.mailNickname.toLowerCase()}@${kind === 'onprem' ? LAB_FOREST : LAB_TENANT_DOMAIN}`;
    }
    if (kind === 'cloud' && !mail) o.groupTypes = [];
    objects[o.id] = o;
    if (kind === 'onprem') groupGuid.set(o.id, anchored(o, `CN=${name},${GROUPS_OU}`));
    return o;
  };
  const dlPartners = mkGroup('DL-Partners-EMEA', 'onprem', true, 'All EMEA partner contacts');
  const dlSuppliers = mkGroup('DL-Suppliers', 'onprem', true, 'Supplier contacts');
  const dlAllExternal = mkGroup('DL-All-External', 'onprem', true, 'Nests the partner and supplier lists');
  const sgFinance = mkGroup('SG-Finance-Readers', 'onprem', false, 'Finance read access');
  const transferredGroup = mkGroup('DL-Legal-Counsel', 'onprem', true, 'Outside counsel (SOA transferred)');
  transferredGroup.isCloudManaged = true;
  transferredGroup.onPremisesSyncEnabled = null;
  const cloudPartners = mkGroup('Cloud Partner Newsletter', 'cloud', true, 'Cloud-only distribution list');
  const cloudProject = mkGroup('Project Falcon External', 'cloud', false, 'Cloud-only security group');
  const cloudAll = mkGroup('All Cloud Recipients', 'cloud', true, 'Nests the cloud lists');

  const pickMembers = (pool: DirObject[], share: number): DirObject[] => pool.filter(() => rng() < share);
  dlPartners.members = pickMembers(synced, 0.15).map((o) => o.id);
  dlSuppliers.members = pickMembers(synced, 0.1).map((o) => o.id);
  dlAllExternal.members = [dlPartners.id, dlSuppliers.id];
  sgFinance.members = syncedUsers.slice(0, 4).map((o) => o.id);
  transferredGroup.members = pickMembers(synced, 0.03).map((o) => o.id);
  cloudPartners.members = [...pickMembers(synced, 0.05), ...cloudContacts.slice(0, 3), ...transferred.slice(0, 1)].map(
    (o) => o.id,
  );
  cloudProject.members = [...syncedUsers.slice(2, 6), ...cloudUsers].map((o) => o.id);
  cloudAll.members = [cloudPartners.id, cloudProject.id, dlPartners.id];

  // admins (cloud users in the tenant)
  const admins: AdminRecord[] = [];
  const roleAssignments: RoleAssignment[] = [];
  const grants: PermissionGrant[] = [];
  const appServicePrincipalId = uuid();
  const graphServicePrincipalId = uuid();
  const au: AdministrativeUnit = {
    id: uuid(),
    displayName: 'SOA Pilot - EMEA contacts',
    description: 'Contacts and users in scope of the AU-scoped Hybrid Administrator',
    members: [],
  };
  const auMembers = [...synced.slice(0, 10), ...transferred.slice(0, 1), ...syncedUsers.slice(0, 1), dlPartners];
  au.members = auMembers.map((o) => o.id);

  const roleEligibilities: RoleAssignment[] = [];
  const mkAdmin = (
    local: string,
    displayName: string,
    note: string,
    roles: string[],
    scoped: string[],
    consent: readonly string[],
    extra: { eligible?: string[]; groups?: DirObject[] } = {},
  ): void => {
    const o = blankObject(uuid(), 'user', displayName, created);
    o.userPrincipalName = `${local}@${LAB_TENANT_DOMAIN}`;
    o.mail = o.userPrincipalName;
    o.mailNickname = local.replace(/\./g, '');
    o.givenName = displayName.split(' ')[0] ?? null;
    o.surname = displayName.split(' ').slice(1).join(' ') || null;
    o.department = 'IT';
    o.companyName = 'Contoso';
    o.jobTitle = 'Administrator';
    objects[o.id] = o;
    admins.push({ oid: o.id, upn: o.userPrincipalName, displayName, note });
    for (const g of extra.groups ?? []) g.members.push(o.id);
    for (const r of extra.eligible ?? [])
      roleEligibilities.push({ id: uuid(), principalId: o.id, roleDefinitionId: r, directoryScopeId: '/' });
    for (const r of roles)
      roleAssignments.push({ id: uuid(), principalId: o.id, roleDefinitionId: r, directoryScopeId: '/' });
    for (const r of scoped) {
      roleAssignments.push({
        id: uuid(),
        principalId: o.id,
        roleDefinitionId: r,
        directoryScopeId: `/administrativeUnits/${au.id}`,
      });
    }
    if (consent.length > 0) {
      grants.push({
        id: uuid(),
        clientId: appServicePrincipalId,
        consentType: 'Principal',
        principalId: o.id,
        resourceId: graphServicePrincipalId,
        scope: consent.join(' '),
      });
    }
  };
  mkAdmin(
    'hybrid.admin',
    'Hanna Hybrid',
    'Full: Hybrid Administrator + User Administrator (may update contacts) + Reports Reader, tenant-wide, + consent for every lab scope',
    [ROLE.hybridAdministrator, ROLE.userAdministrator, ROLE.reportsReader],
    [],
    FULL_CONSENT,
  );
  mkAdmin(
    'hybrid.noaudit',
    'Noah Noaudit',
    `Hybrid Administrator scoped to the administrative unit "${au.displayName}" only, no tenant-wide role: audit log reads get 403 (reading the audit log needs a tenant-wide reader role)`,
    [],
    [ROLE.hybridAdministrator],
    FULL_CONSENT,
  );
  mkAdmin(
    'helpdesk',
    'Helga Helpdesk',
    'No directory role (consent granted): SOA reads/writes get 403 Authorization_RequestDenied',
    [],
    [],
    FULL_CONSENT,
  );
  mkAdmin(
    'au.admin',
    'Aurelio Unit',
    `Hybrid Administrator scoped to the administrative unit "${au.displayName}" (${au.id}) + Reports Reader; only objects in that AU can be transferred`,
    [ROLE.reportsReader],
    [ROLE.hybridAdministrator],
    FULL_CONSENT,
  );
  mkAdmin(
    'noconsent.admin',
    'Nora Noconsent',
    'Hybrid Administrator + Reports Reader, but the lab app has no consent for her: requesting Graph scopes fails with AADSTS65001 consent_required',
    [ROLE.hybridAdministrator, ROLE.reportsReader],
    [],
    [],
  );
  mkAdmin(
    'global.admin',
    'Gustav Global',
    'Global Administrator + consent: can grant admin consent, add AU members, toggle blockCloudObjectTakeoverThroughHardMatchEnabled',
    [ROLE.globalAdministrator],
    [],
    FULL_CONSENT,
  );
  // The four admins of the role-aware proofs. A role-assignable group holds Hybrid Administrator for
  // one of them; another is only PIM-eligible. Seeded last so everything above keeps its ids.
  const roleGroup = mkGroup('SOA Hybrid Admins', 'cloud', false, 'Role-assignable group holding Hybrid Administrator');
  roleGroup.isAssignableToRole = true;
  roleAssignments.push({
    id: uuid(),
    principalId: roleGroup.id,
    roleDefinitionId: ROLE.hybridAdministrator,
    directoryScopeId: '/',
  });
  mkAdmin(
    'hybrid.only',
    'Oskar Only',
    'Hybrid Administrator only (tenant-wide) + consent: may transfer and read the audit log, may not update contacts (PATCH /contacts/{id} gets 403)',
    [ROLE.hybridAdministrator],
    [],
    FULL_CONSENT,
  );
  mkAdmin(
    'hybrid.useradmin',
    'Ulla Useradmin',
    'Hybrid Administrator + User Administrator (tenant-wide) + consent: may transfer, read the audit log and update contacts',
    [ROLE.hybridAdministrator, ROLE.userAdministrator],
    [],
    FULL_CONSENT,
  );
  mkAdmin(
    'hybrid.group',
    'Greta Group',
    `Hybrid Administrator through the role-assignable group "${roleGroup.displayName}" (no direct assignment) + consent`,
    [],
    [],
    FULL_CONSENT,
    { groups: [roleGroup] },
  );
  mkAdmin(
    'hybrid.pim',
    'Pia Pim',
    'Hybrid Administrator PIM-eligible, not activated (no active role) + consent: SOA calls get 403 until she activates it',
    [],
    [],
    FULL_CONSENT,
    { eligible: [ROLE.hybridAdministrator] },
  );

  // scale: extra synced users and groups (none by default)
  const scaleUsers: DirObject[] = [];
  for (let i = 0; i < (opts.users ?? 0); i++) {
    const o = mkUser(pick(rng, FIRST), `${pick(rng, LAST)}${String(i).padStart(5, '0')}`, true, pick(rng, DEPARTMENTS));
    syncedUsers.push(o);
    scaleUsers.push(o);
  }
  const scaleGroups: DirObject[] = [];
  for (let i = 0; i < (opts.groups ?? 0); i++) {
    const g = mkGroup(`SG-Scale-${String(i).padStart(5, '0')}`, 'onprem', false, 'Scale-test security group');
    if (scaleUsers.length > 0) {
      const start = Math.floor(rng() * scaleUsers.length);
      g.members = scaleUsers.slice(start, start + 20).map((u) => u.id);
    }
    scaleGroups.push(g);
  }

  // on-premises group memberships (DNs), by member id
  const groupDns = new Map<string, string[]>();
  for (const g of Object.values(objects)) {
    if (g.kind !== 'group' || !g.anchor || !g.onPremisesDistinguishedName) continue;
    for (const m of g.members) groupDns.set(m, [...(groupDns.get(m) ?? []), g.onPremisesDistinguishedName]);
  }
  for (const o of [...synced, ...transferred, ...pending]) {
    const guid = contactGuid.get(o.id);
    if (!guid || !o.anchor || !o.onPremisesDistinguishedName) continue;
    onPrem.push(toSeedObject(o, guid, groupDns.get(o.id) ?? []));
  }
  for (const o of syncedUsers) {
    const guid = userGuid.get(o.id);
    if (guid && o.anchor) onPrem.push(toSeedObject(o, guid, groupDns.get(o.id) ?? []));
  }
  for (const o of [dlPartners, dlSuppliers, dlAllExternal, sgFinance, transferredGroup, ...scaleGroups]) {
    const guid = groupGuid.get(o.id);
    if (guid && o.anchor) onPrem.push(toSeedObject(o, guid, groupDns.get(o.id) ?? []));
  }

  // One AD contact outside the sync scope (filtered by a scoping rule): a disconnector in the AD
  // connector space, never joined to the metaverse and absent from the tenant. Its GUID is fixed so
  // the random sequence of everything else stays as it was.
  const filteredGuid = `6f1d0c3e-9a57-4b8e-8f43-${(opts.seed >>> 0).toString(16).padStart(12, '0').slice(-12)}`;
  onPrem.push({
    kind: 'contact',
    anchor: guidToAnchor(filteredGuid),
    objectGuid: filteredGuid,
    cloudId: '',
    memberOf: [],
    inSyncScope: false,
    attrs: {
      displayName: 'Filtered Vendor Contact',
      mail: 'filtered.vendor@fabrikam.example',
      description: 'Outside the sync scope (scoping filter)',
      distinguishedName: 'CN=Filtered Vendor Contact,OU=NoSync,DC=contoso,DC=com',
    },
  });

  const tenant: TenantState = {
    tenantId,
    tenantDomain: LAB_TENANT_DOMAIN,
    forest: LAB_FOREST,
    clientId: LAB_CLIENT_ID,
    appServicePrincipalId,
    graphServicePrincipalId,
    onPremisesSynchronizationId: tenantId,
    onPremisesSyncFeatures: {
      blockCloudObjectTakeoverThroughHardMatchEnabled: true,
      blockSoftMatchEnabled: false,
      passwordSyncEnabled: false,
      softMatchOnUpnEnabled: true,
    },
    synchronizationClientVersion: '2.5.79.0',
    objects,
    administrativeUnits: [au],
    roleAssignments,
    roleEligibilities,
    grants,
    admins,
    audit: [],
    writeLog: [],
    refreshTokens: {},
  };
  return { tenant, onPrem };
}

/** Marks a seeded cloud object as synced from AD: its anchor (from the AD objectGUID), DN and last sync. */
export function syncFromAd(o: DirObject, guid: string, dn: string, lastSync: string): void {
  o.anchor = guidToAnchor(guid);
  o.onPremisesDistinguishedName = dn;
  o.onPremisesSyncEnabled = true;
  o.onPremisesLastSyncDateTime = lastSync;
}

/** The AD side of a seeded object synced from AD (every seed scenario builds its on-premises directory from these). */
export function toSeedObject(o: DirObject, guid: string, memberOf: string[]): OnPremSeedObject {
  return {
    kind: o.kind,
    anchor: o.anchor ?? '',
    objectGuid: guid,
    cloudId: o.id,
    memberOf,
    attrs: {
      displayName: o.displayName,
      mail: o.mail,
      description: o.description,
      givenName: o.givenName,
      surname: o.surname,
      companyName: o.companyName,
      department: o.department,
      distinguishedName: o.onPremisesDistinguishedName ?? '',
    },
  };
}

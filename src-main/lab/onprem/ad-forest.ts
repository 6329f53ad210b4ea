/**
 * The AD forest: objects as `Get-ADObject` returns them, lookups, LDAP filters and
 * `Set-ADObject -Remove/-Add/-Replace/-Clear` (applied in that order, as the AD module does).
 */
import { z } from 'zod';
import type { OnPremSeedObject } from '../ports.js';
import { forestDn, iso, type OnPremContext } from './context.js';
import { compileLdapFilter, LdapFilterError, parseLdapFilter, wildcardMatch, type LdapFilter } from './ldap-filter.js';
import { guidFromName } from './guids.js';
import { adException, adIdentityNotFound, badRequest } from './ps-errors.js';
import { AD_STRING_ATTRS, type AdObjectState, type AdStringAttr } from './state.js';

const OBJECT_CLASS_CHAIN: Record<AdObjectState['kind'], string[]> = {
  contact: ['top', 'person', 'organizationalPerson', 'contact'],
  user: ['top', 'person', 'organizationalPerson', 'user'],
  group: ['top', 'group'],
};

export function rdnValue(dn: string): string {
  const m = /^[A-Za-z]+=((?:\\.|[^,])*)/.exec(dn);
  return (m?.[1] ?? dn).replace(/\\(.)/g, '$1');
}

export function seedAdObjects(objects: OnPremSeedObject[], now: number): { ad: AdObjectState[]; usn: number } {
  let usn = 12000;
  const ad: AdObjectState[] = objects.map((o) => {
    usn += 1;
    const a = o.attrs;
    return {
      guid: o.objectGuid.toLowerCase(),
      anchor: o.anchor,
      kind: o.kind,
      dn: a.distinguishedName,
      cloudId: o.cloudId,
      inSyncScope: o.inSyncScope !== false,
      attrs: {
        displayName: a.displayName,
        mail: a.mail ?? null,
        description: a.description ?? null,
        givenName: a.givenName ?? null,
        sn: a.surname ?? null,
        company: a.companyName ?? null,
        department: a.department ?? null,
      },
      member: [],
      memberOf: [...o.memberOf],
      whenCreated: now,
      whenChanged: now,
      uSNCreated: usn,
      uSNChanged: usn,
    };
  });
  const byDn = new Map(ad.map((o) => [o.dn.toLowerCase(), o]));
  for (const o of ad) {
    for (const g of o.memberOf) {
      const group = byDn.get(g.toLowerCase());
      if (group && group.kind === 'group' && !group.member.includes(o.dn)) group.member.push(o.dn);
    }
  }
  return { ad, usn };
}

export function adObjectView(o: AdObjectState): Record<string, unknown> {
  return {
    DistinguishedName: o.dn,
    Name: rdnValue(o.dn),
    ObjectClass: o.kind,
    ObjectGUID: o.guid,
    ...o.attrs,
    member: [...o.member],
    memberOf: [...o.memberOf],
    whenCreated: iso(o.whenCreated),
    whenChanged: iso(o.whenChanged),
    uSNCreated: o.uSNCreated,
    uSNChanged: o.uSNChanged,
  };
}

/** Lower-case LDAP name -> the string attribute it reads (built once; a query reads it per object and term). */
const STRING_ATTR_BY_LDAP_NAME = new Map<string, AdStringAttr>(AD_STRING_ATTRS.map((k) => [k.toLowerCase(), k]));
const NO_VALUES: readonly string[] = [];

function readLdapAttr(o: AdObjectState, attr: string): readonly string[] {
  switch (attr) {
    case 'distinguishedname':
      return [o.dn];
    case 'cn':
    case 'name':
      return [rdnValue(o.dn)];
    case 'objectclass':
      return OBJECT_CLASS_CHAIN[o.kind];
    case 'objectguid':
      return [o.guid];
    case 'member':
      return o.member;
    case 'memberof':
      return o.memberOf;
    case 'usnchanged':
      return [String(o.uSNChanged)];
    case 'usncreated':
      return [String(o.uSNCreated)];
    case 'whenchanged':
      return [iso(o.whenChanged) ?? ''];
    case 'whencreated':
      return [iso(o.whenCreated) ?? ''];
    default: {
      const key = STRING_ATTR_BY_LDAP_NAME.get(attr);
      const v = key === undefined ? null : o.attrs[key];
      return v === null ? NO_VALUES : [v];
    }
  }
}

export interface AdQuery {
  identity?: string;
  distinguishedName?: string;
  mail?: string;
  displayName?: string;
  objectClass?: string;
  searchBase?: string;
  searchScope?: 'Base' | 'OneLevel' | 'Subtree';
  ldapFilter?: string;
  resultSetSize?: number;
  /** `-Server`: the domain (or a DC of it) the cmdlet talks to; default the server's own forest */
  server?: string;
}

/**
 * Whether a cmdlet talking to `server` (default: the server's own domain) sees this object. An object of
 * an additional forest (`config.additionalForests`) is reached only with `-Server <that forest>` (or one
 * of its DCs), as on a real server joined to the first forest; `-Server` naming one of the forests sees only
 * that forest's objects.
 */
export function reachableFrom(ctx: OnPremContext, dn: string, server: string | undefined): boolean {
  return reachabilityFrom(ctx, server)(dn);
}

/** `reachableFrom` for one `server`, as a test on DNs built once (a query tests every object). */
function reachabilityFrom(ctx: OnPremContext, server: string | undefined): (dn: string) => boolean {
  const forests = [ctx.forest, ...ctx.state.config.additionalForests].map((f) => f.toLowerCase());
  const suffixes = forests.map((f) => `,${forestDn(f).toLowerCase()}`);
  const s = server?.trim().toLowerCase() ?? '';
  const names = (f: string): boolean => s === f || s.endsWith(`.${f}`);
  const named = s !== '' && forests.some(names);
  return (dn) => {
    const d = dn.toLowerCase();
    const i = suffixes.findIndex((x) => d.endsWith(x));
    if (s === '') return i <= 0;
    if (i < 0) return !named;
    return names(forests[i] ?? '');
  };
}

export interface AdDomainQuery {
  /** `-Current LocalComputer|LoggedOnUser`: the lab's server and its user are both in the first forest */
  current?: string;
  /** `-Identity`: the domain's DNS name, NetBIOS name or DN */
  identity?: string;
  /** `-Server`: a domain name or a DC of it */
  server?: string;
}

/**
 * `Get-ADDomain`: the lab's forests are one domain each. Without -Identity it answers for the domain of the
 * computer (the first forest, the one the lab's server is joined to) or of the domain `-Server` names.
 */
export function getAdDomain(ctx: OnPremContext, q: AdDomainQuery): Record<string, unknown> {
  const forests = [ctx.forest, ...ctx.state.config.additionalForests];
  const current = q.current?.toLowerCase();
  if (current !== undefined && current !== 'localcomputer' && current !== 'loggedonuser') {
    throw badRequest('Current must be LocalComputer or LoggedOnUser.');
  }
  const s = q.server?.trim().toLowerCase() ?? '';
  const reached =
    s === '' ? ctx.forest : forests.find((f) => s === f.toLowerCase() || s.endsWith(`.${f.toLowerCase()}`));
  if (reached === undefined) {
    throw adException(
      'Unable to contact the server. This may be because this server does not exist, it is currently down, or it does not have the Active Directory Web Services running.',
      0,
      'GetADDomain',
    );
  }
  let domain = reached;
  if (q.identity !== undefined) {
    const id = q.identity.trim().toLowerCase();
    const found = forests.find(
      (f) => id === f.toLowerCase() || id === netBiosName(f).toLowerCase() || id === forestDn(f).toLowerCase(),
    );
    if (found === undefined) throw adIdentityNotFound(q.identity, forestDn(reached), 'GetADDomain');
    domain = found;
  } else if (s !== '' && current !== undefined && reached.toLowerCase() !== ctx.forest.toLowerCase()) {
    // -Current with -Server: the server must be in the computer's (or user's) domain (documented; the
    // message is the lab's own)
    throw adException(
      `The server '${q.server ?? ''}' is not in the domain of the ${q.current ?? ''}.`,
      0,
      'GetADDomain',
    );
  }
  return adDomainView(domain);
}

function netBiosName(dnsName: string): string {
  return (dnsName.split('.')[0] ?? dnsName).toUpperCase().slice(0, 15);
}

/** An ADDomain with the members `Get-ADDomain` lists (test/powershell/adsync-types/ADDomain.json). */
function adDomainView(dnsName: string): Record<string, unknown> {
  const dn = forestDn(dnsName);
  const dc = `DC01.${dnsName}`;
  const sid = guidFromName(`sid:${dnsName.toLowerCase()}`).replace(/-/g, '');
  const sub = (i: number): number => parseInt(sid.slice(i * 8, i * 8 + 8), 16) >>> 1;
  return {
    AllowedDNSSuffixes: [],
    ChildDomains: [],
    ComputersContainer: `CN=Computers,${dn}`,
    DeletedObjectsContainer: `CN=Deleted Objects,${dn}`,
    DistinguishedName: dn,
    DNSRoot: dnsName,
    DomainControllersContainer: `OU=Domain Controllers,${dn}`,
    DomainMode: 'Windows2016Domain',
    DomainSID: `S-1-5-21-${sub(0)}-${sub(1)}-${sub(2)}`,
    ForeignSecurityPrincipalsContainer: `CN=ForeignSecurityPrincipals,${dn}`,
    Forest: dnsName,
    InfrastructureMaster: dc,
    LastLogonReplicationInterval: null,
    LinkedGroupPolicyObjects: [`CN={31B2F340-016D-11D2-945F-00C04FB984F9},CN=Policies,CN=System,${dn}`],
    LostAndFoundContainer: `CN=LostAndFound,${dn}`,
    ManagedBy: null,
    Name: dnsName.split('.')[0] ?? dnsName,
    NetBIOSName: netBiosName(dnsName),
    ObjectClass: 'domainDNS',
    ObjectGUID: guidFromName(`domain:${dnsName.toLowerCase()}`),
    ParentDomain: null,
    PDCEmulator: dc,
    QuotasContainer: `CN=NTDS Quotas,${dn}`,
    ReadOnlyReplicaDirectoryServers: [],
    ReplicaDirectoryServers: [dc],
    RIDMaster: dc,
    SubordinateReferences: [`DC=ForestDnsZones,${dn}`, `DC=DomainDnsZones,${dn}`, `CN=Configuration,${dn}`],
    SystemsContainer: `CN=System,${dn}`,
    UsersContainer: `CN=Users,${dn}`,
  };
}

export function findByIdentity(ctx: OnPremContext, identity: string): AdObjectState | undefined {
  const key = identity.trim().toLowerCase();
  return ctx.adByDn.get(key) ?? ctx.adByGuid.get(key.replace(/^\{|\}$/g, ''));
}

export function findAdObjects(ctx: OnPremContext, q: AdQuery): AdObjectState[] {
  if (q.identity !== undefined) {
    const o = findByIdentity(ctx, q.identity);
    if (!o || !reachableFrom(ctx, o.dn, q.server))
      throw adIdentityNotFound(q.identity, forestDn(q.server || ctx.forest), 'GetADObject');
    return [o];
  }
  let filter: LdapFilter | undefined;
  if (q.ldapFilter !== undefined) {
    try {
      filter = parseLdapFilter(q.ldapFilter);
    } catch (e) {
      if (e instanceof LdapFilterError)
        throw adException('The search filter cannot be recognized', 8254, 'GetADObject');
      throw e;
    }
  }
  const base = q.searchBase?.toLowerCase();
  const scope = q.searchScope ?? 'Subtree';
  const matches = filter ? compileLdapFilter(filter, readLdapAttr) : undefined;
  const reachable = reachabilityFrom(ctx, q.server);
  const out: AdObjectState[] = [];
  for (const o of ctx.state.ad) {
    if (!reachable(o.dn)) continue;
    if (q.distinguishedName !== undefined && !wildcardMatch(q.distinguishedName, o.dn)) continue;
    if (q.mail !== undefined && (o.attrs.mail === null || !wildcardMatch(q.mail, o.attrs.mail))) continue;
    if (
      q.displayName !== undefined &&
      (o.attrs.displayName === null || !wildcardMatch(q.displayName, o.attrs.displayName))
    )
      continue;
    if (q.objectClass !== undefined && !OBJECT_CLASS_CHAIN[o.kind].some((c) => wildcardMatch(q.objectClass ?? '', c)))
      continue;
    if (base !== undefined && !inScope(o.dn.toLowerCase(), base, scope)) continue;
    if (matches && !matches(o)) continue;
    out.push(o);
    if (q.resultSetSize !== undefined && out.length >= q.resultSetSize) break;
  }
  return out;
}

function inScope(dn: string, base: string, scope: 'Base' | 'OneLevel' | 'Subtree'): boolean {
  if (scope === 'Base') return dn === base;
  if (!dn.endsWith(`,${base}`)) return false;
  if (scope === 'Subtree') return true;
  const rest = dn.slice(0, dn.length - base.length - 1);
  return !/(?<!\\),/.test(rest);
}

/** A value as PowerShell serialises it (numbers and booleans become their .NET string form). */
const scalar = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => (typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v)));
const values = z.union([scalar, z.array(scalar)]).transform((v) => (Array.isArray(v) ? v : [v]));
export const setAdObjectBody = z.object({
  Identity: z.string().min(1),
  Replace: z.record(z.string(), values).optional(),
  Clear: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional(),
  Add: z.record(z.string(), values).optional(),
  Remove: z.record(z.string(), values).optional(),
  Server: z.string().optional(),
});
export type SetAdObjectBody = z.infer<typeof setAdObjectBody>;

type Writable = AdStringAttr | 'member';

function writableAttr(name: string): Writable {
  const lower = name.toLowerCase();
  if (lower === 'member') return 'member';
  const key = AD_STRING_ATTRS.find((k) => k.toLowerCase() === lower);
  if (!key) throw adException('The specified directory service attribute or value does not exist', 8202, 'SetADObject');
  return key;
}

export function setAdObject(ctx: OnPremContext, body: SetAdObjectBody): AdObjectState {
  const target = findByIdentity(ctx, body.Identity);
  if (!target || !reachableFrom(ctx, target.dn, body.Server))
    throw adIdentityNotFound(body.Identity, forestDn(body.Server || ctx.forest), 'SetADObject');
  const ops = [body.Remove, body.Add, body.Replace, body.Clear];
  if (ops.every((o) => o === undefined || (Array.isArray(o) ? o.length === 0 : Object.keys(o).length === 0))) {
    throw badRequest('Set-ADObject needs at least one of Replace, Clear, Add, Remove.');
  }
  // Validate everything first so that a failed call changes nothing.
  const work = structuredClone({ attrs: target.attrs, member: target.member });
  const resolveMember = (dn: string): string => {
    const m = ctx.adByDn.get(dn.toLowerCase());
    if (!m) throw adException('The name reference is invalid.', 8373, 'SetADObject');
    return m.dn;
  };
  const memberCheck = (): void => {
    if (target.kind !== 'group')
      throw adException('The specified directory service attribute or value does not exist', 8202, 'SetADObject');
  };
  const single = (vals: string[]): string => {
    if (vals.length !== 1 || vals[0] === undefined) {
      throw adException(
        'Multiple values were specified for an attribute that can have only one value.',
        8321,
        'SetADObject',
      );
    }
    return vals[0];
  };
  for (const [name, vals] of Object.entries(body.Remove ?? {})) {
    const a = writableAttr(name);
    if (a === 'member') {
      memberCheck();
      const drop = new Set(vals.map((v) => v.toLowerCase()));
      work.member = work.member.filter((m) => !drop.has(m.toLowerCase()));
    } else if (vals.some((v) => v === work.attrs[a])) {
      work.attrs[a] = null;
    }
  }
  for (const [name, vals] of Object.entries(body.Add ?? {})) {
    const a = writableAttr(name);
    if (a === 'member') {
      memberCheck();
      for (const v of vals) {
        const dn = resolveMember(v);
        if (!work.member.some((m) => m.toLowerCase() === dn.toLowerCase())) work.member.push(dn);
      }
    } else {
      if (work.attrs[a] !== null) {
        throw adException(
          'Multiple values were specified for an attribute that can have only one value.',
          8321,
          'SetADObject',
        );
      }
      work.attrs[a] = single(vals);
    }
  }
  for (const [name, vals] of Object.entries(body.Replace ?? {})) {
    const a = writableAttr(name);
    if (a === 'member') {
      memberCheck();
      work.member = [...new Set(vals.map(resolveMember))];
    } else {
      work.attrs[a] = single(vals);
    }
  }
  for (const name of body.Clear ?? []) {
    const a = writableAttr(name);
    if (a === 'member') {
      memberCheck();
      work.member = [];
    } else {
      work.attrs[a] = null;
    }
  }
  // Apply: keep the members' memberOf back-links in step (back-links don't bump their USN).
  const before = new Set(target.member.map((m) => m.toLowerCase()));
  const after = new Set(work.member.map((m) => m.toLowerCase()));
  for (const dn of before) {
    if (after.has(dn)) continue;
    const m = ctx.adByDn.get(dn);
    if (m) m.memberOf = m.memberOf.filter((g) => g.toLowerCase() !== target.dn.toLowerCase());
  }
  for (const dn of after) {
    if (before.has(dn)) continue;
    const m = ctx.adByDn.get(dn);
    if (m && !m.memberOf.some((g) => g.toLowerCase() === target.dn.toLowerCase())) m.memberOf.push(target.dn);
  }
  target.attrs = work.attrs;
  target.member = work.member;
  ctx.state.usn += 1;
  target.uSNChanged = ctx.state.usn;
  target.whenChanged = ctx.clock.now();
  return target;
}

/**
 * The lab's Microsoft Graph (v1.0 and beta): token validation, per-endpoint scopes and roles,
 * throttling, the Graph error shape, collections with $select/$filter/$search/$count/$top and
 * skiptoken paging, onPremisesSyncBehavior, contacts, users, groups, administrative units, role
 * assignments, audit logs, onPremisesSynchronization and JSON $batch.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { TokenService, VerifiedToken } from '../identity/tokens';
import { AUDIT_READER_ROLES, ROLE, type AuditEntry, type DirObject } from './model';
import {
  GraphError,
  evaluateFilter,
  filterProperties,
  matchesSearch,
  parseFilter,
  parseSearch,
  parseSelect,
  project,
  usesOperator,
  type FilterNode,
} from './odata';
import { bucket, type BucketSpec, type Throttler } from './throttle';
import { HYBRID_ROLES, type Actor, type RequestIds, type Tenant } from './tenant';
import type { Faults } from './faults';

export interface GraphRequest {
  method: string;
  version: string;
  /** path below the version, e.g. /contacts/{id} */
  path: string;
  query: URLSearchParams;
  /** lower-case header names */
  headers: Record<string, string>;
  body: unknown;
  /** the raw body could not be parsed as JSON */
  bodyInvalid?: boolean;
  requestId: string;
  clientRequestId: string | null;
  batchStepId: string | null;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON value, text (for /$count) or null (no content) */
  body: unknown;
}

export interface GraphDeps {
  tenant: () => Tenant;
  tokens: TokenService;
  throttler: Throttler;
  faults: Faults;
  /** https://localhost:PORT */
  baseUrl: () => string;
}

interface Ctx {
  req: GraphRequest;
  who: VerifiedToken;
  actor: Actor;
  advanced: boolean;
  tenant: Tenant;
  ids: RequestIds;
}

type Handler = (ctx: Ctx, m: RegExpExecArray) => GraphResponse | Promise<GraphResponse>;

interface Route {
  method: string;
  re: RegExp;
  handler: Handler;
}

export const MSG_DENIED = 'Insufficient privileges to complete the operation.';
export const MSG_SYNCED_UPDATE =
  'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.';
/** [U] the real text for transferring a cloud-native object is not documented. */
export const MSG_NOT_SYNCED =
  'The source of authority of this object cannot be changed: the object is not synchronized from an on-premises directory.';
export const MSG_COUNT_UNSUPPORTED = '$count is not currently supported.';
export const MSG_SEARCH_NEEDS_HEADER =
  "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'";

const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

// scope alternatives: each inner list is a set that must all be granted
type ScopeRule = string[][];
const RW = ['Directory.ReadWrite.All'];
const SCOPES = {
  me: [['User.Read'], ['User.ReadWrite'], ['User.Read.All'], ['User.ReadWrite.All'], ['Directory.Read.All'], RW],
  contactsRead: [['OrgContact.Read.All'], ['Directory.Read.All'], RW],
  contactMemberOf: [['OrgContact.Read.All', 'Group.Read.All'], ['Directory.Read.All'], RW],
  usersRead: [['User.Read.All'], ['User.ReadBasic.All'], ['User.ReadWrite.All'], ['Directory.Read.All'], RW],
  groupsRead: [['Group.Read.All'], ['GroupMember.Read.All'], ['Group.ReadWrite.All'], ['Directory.Read.All'], RW],
  contactWrite: [RW],
  soa: {
    contact: [['Contacts-OnPremisesSyncBehavior.ReadWrite.All']],
    user: [['User-OnPremisesSyncBehavior.ReadWrite.All']],
    group: [['Group-OnPremisesSyncBehavior.ReadWrite.All']],
  },
  roleAssignments: [
    ['RoleManagement.Read.Directory'],
    ['RoleManagement.Read.All'],
    ['RoleManagement.ReadWrite.Directory'],
    ['Directory.Read.All'],
    RW,
  ],
  auRead: [['AdministrativeUnit.Read.All'], ['AdministrativeUnit.ReadWrite.All'], ['Directory.Read.All'], RW],
  auWrite: [['AdministrativeUnit.ReadWrite.All'], RW],
  audit: [
    ['AuditLog.Read.All', 'Directory.Read.All'],
    ['AuditLog.Read.All', 'Directory.ReadWrite.All'],
  ],
  onPremSyncRead: [
    ['OnPremDirectorySynchronization.Read.All'],
    ['OnPremDirectorySynchronization.ReadWrite.All'],
    ['Directory.Read.All'],
    RW,
  ],
  onPremSyncWrite: [['OnPremDirectorySynchronization.ReadWrite.All']],
  grants: [
    ['DelegatedPermissionGrant.Read.All'],
    ['DelegatedPermissionGrant.ReadWrite.All'],
    ['Directory.Read.All'],
    RW,
  ],
  servicePrincipals: [['Application.Read.All'], ['Directory.Read.All'], RW],
} satisfies Record<string, ScopeRule | Record<string, ScopeRule>>;

const CONTACT_PROPS = [
  'id',
  'deletedDateTime',
  'addresses',
  'companyName',
  'department',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mailNickname',
  'onPremisesLastSyncDateTime',
  'onPremisesProvisioningErrors',
  'onPremisesSyncEnabled',
  'phones',
  'proxyAddresses',
  'serviceProvisioningErrors',
  'surname',
] as const;
const USER_DEFAULT = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];
const USER_PROPS = [
  ...USER_DEFAULT,
  'accountEnabled',
  'companyName',
  'department',
  'createdDateTime',
  'mailNickname',
  'onPremisesSyncEnabled',
  'onPremisesImmutableId',
  'onPremisesDistinguishedName',
  'onPremisesLastSyncDateTime',
  'userType',
];
const GROUP_PROPS = [
  'id',
  'deletedDateTime',
  'classification',
  'createdDateTime',
  'description',
  'displayName',
  'groupTypes',
  'mail',
  'mailEnabled',
  'mailNickname',
  'onPremisesDistinguishedName',
  'onPremisesLastSyncDateTime',
  'onPremisesSyncEnabled',
  'proxyAddresses',
  'securityEnabled',
  'visibility',
];
const DIRECTORY_OBJECT_PROPS = [...new Set([...CONTACT_PROPS, ...USER_PROPS, ...GROUP_PROPS])];

function contactView(o: DirObject): Record<string, unknown> {
  return {
    id: o.id,
    deletedDateTime: null,
    addresses: [],
    companyName: o.companyName,
    department: o.department,
    displayName: o.displayName,
    givenName: o.givenName,
    jobTitle: o.jobTitle,
    mail: o.mail,
    mailNickname: o.mailNickname,
    onPremisesLastSyncDateTime: o.onPremisesLastSyncDateTime,
    onPremisesProvisioningErrors: [],
    onPremisesSyncEnabled: o.onPremisesSyncEnabled,
    phones: [],
    proxyAddresses: o.mail ? [`SMTP:${o.mail}`] : [],
    serviceProvisioningErrors: [],
    surname: o.surname,
  };
}
function userView(o: DirObject, all: boolean): Record<string, unknown> {
  const v: Record<string, unknown> = {
    businessPhones: [],
    displayName: o.displayName,
    givenName: o.givenName,
    jobTitle: o.jobTitle,
    mail: o.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    surname: o.surname,
    userPrincipalName: o.userPrincipalName,
    id: o.id,
  };
  if (all) {
    Object.assign(v, {
      accountEnabled: true,
      companyName: o.companyName,
      department: o.department,
      createdDateTime: o.createdDateTime,
      mailNickname: o.mailNickname,
      onPremisesSyncEnabled: o.onPremisesSyncEnabled,
      onPremisesImmutableId: o.anchor,
      onPremisesDistinguishedName: o.onPremisesDistinguishedName,
      onPremisesLastSyncDateTime: o.onPremisesLastSyncDateTime,
      userType: 'Member',
    });
  }
  return v;
}
function groupView(o: DirObject): Record<string, unknown> {
  return {
    id: o.id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: o.createdDateTime,
    description: o.description,
    displayName: o.displayName,
    groupTypes: o.groupTypes,
    mail: o.mail,
    mailEnabled: o.mailEnabled,
    mailNickname: o.mailNickname,
    onPremisesDistinguishedName: o.onPremisesDistinguishedName,
    onPremisesLastSyncDateTime: o.onPremisesLastSyncDateTime,
    onPremisesSyncEnabled: o.onPremisesSyncEnabled,
    proxyAddresses: o.mail ? [`SMTP:${o.mail}`] : [],
    securityEnabled: o.securityEnabled,
    visibility: null,
  };
}
function typedView(o: DirObject): Record<string, unknown> {
  const type = o.kind === 'contact' ? 'orgContact' : o.kind;
  const v = o.kind === 'contact' ? contactView(o) : o.kind === 'user' ? userView(o, false) : groupView(o);
  return { '@odata.type': `#microsoft.graph.${type}`, ...v };
}
/** what $filter sees: the full view plus navigation values the lab lets you filter on */
function filterView(o: DirObject): Record<string, unknown> {
  const base = o.kind === 'contact' ? contactView(o) : o.kind === 'user' ? userView(o, true) : groupView(o);
  return { ...base, onPremisesSyncBehavior: { isCloudManaged: o.isCloudManaged } };
}

function roleObjectId(tenantId: string, templateId: string): string {
  const h = createHash('sha1').update(`${tenantId}|${templateId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function hasScopes(who: VerifiedToken, rule: ScopeRule): boolean {
  const granted = new Set(who.scopes.map((s) => s.toLowerCase()));
  return rule.some((set) => set.every((s) => granted.has(s.toLowerCase())));
}
function denied(): GraphError {
  return new GraphError(403, 'Authorization_RequestDenied', MSG_DENIED);
}
function notFound(id: string): GraphError {
  return new GraphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

export function graphErrorBody(
  code: string,
  message: string,
  requestId: string,
  clientRequestId: string | null,
  now: number,
): unknown {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date(now).toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? requestId,
      },
    },
  };
}

const soaPatchSchema = z
  .object({
    '@odata.type': z.string().optional(),
    isCloudManaged: z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])]),
  })
  .strict();

const contactPatchSchema = z.record(z.string(), z.unknown());
const CONTACT_WRITABLE: Record<string, keyof DirObject> = {
  displayname: 'displayName',
  givenname: 'givenName',
  surname: 'surname',
  companyname: 'companyName',
  department: 'department',
  jobtitle: 'jobTitle',
  mail: 'mail',
  mailnickname: 'mailNickname',
};

const refSchema = z.object({ '@odata.id': z.string().min(1) }).strict();
const onPremSyncPatchSchema = z
  .object({
    features: z
      .object({
        blockCloudObjectTakeoverThroughHardMatchEnabled: z.boolean().optional(),
        blockSoftMatchEnabled: z.boolean().optional(),
        passwordSyncEnabled: z.boolean().optional(),
        softMatchOnUpnEnabled: z.boolean().optional(),
      })
      .passthrough(),
  })
  .passthrough();

const batchSchema = z.object({
  requests: z.array(
    z.object({
      id: z.string().min(1),
      method: z.string().min(1),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
  ),
});

interface ListOptions {
  typeName: string;
  contextPath: string;
  selectable: readonly string[];
  filterable: readonly string[];
  /** $filter features that need advanced query mode on this resource */
  advancedOnly?: (n: FilterNode) => boolean;
  view: (o: DirObject) => Record<string, unknown>;
  searchable: boolean;
}

export class GraphService {
  private routes: Route[] = [];

  constructor(private readonly deps: GraphDeps) {
    this.register();
  }

  private base(version: string): string {
    return `${this.deps.baseUrl()}/${version}`;
  }

  private ok(body: unknown, status = 200, headers: Record<string, string> = {}): GraphResponse {
    return { status, headers: { 'content-type': ODATA_JSON, ...headers }, body };
  }

  async handle(req: GraphRequest): Promise<GraphResponse> {
    const tenant = this.deps.tenant();
    const ids: RequestIds = {
      requestId: req.requestId,
      clientRequestId: req.clientRequestId,
      batchStepId: req.batchStepId,
    };
    const finish = (r: GraphResponse): GraphResponse => {
      r.headers['request-id'] = req.requestId;
      r.headers['client-request-id'] = req.clientRequestId ?? req.requestId;
      return r;
    };
    try {
      if (req.version !== 'v1.0' && req.version !== 'beta') throw new GraphError(400, 'BadRequest', 'Invalid version.');
      if (req.method === 'POST' && req.path === '/$batch') return finish(await this.batch(req));
      const auth = req.headers.authorization ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(auth);
      if (!m?.[1]) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
      const v = await this.deps.tokens.verifyAccessToken(m[1].trim());
      if (!v.ok) throw new GraphError(401, 'InvalidAuthenticationToken', v.message);
      if (v.value.tenantId !== tenant.state.tenantId)
        throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
      const who = v.value;
      const route = this.match(req.method, req.path);
      if (!route) {
        const seg = req.path.split('/').filter(Boolean)[0] ?? '';
        throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${seg}'.`);
      }
      const ctx: Ctx = {
        req,
        who,
        actor: { oid: who.oid, upn: who.upn, name: who.name, appId: who.appId },
        advanced: (req.headers.consistencylevel ?? '').toLowerCase() === 'eventual',
        tenant,
        ids,
      };
      // throttling
      const isWrite = req.method !== 'GET' && req.method !== 'HEAD';
      const isAudit = req.path.toLowerCase().startsWith('/auditlogs/');
      const specs: BucketSpec[] = isWrite
        ? [bucket('appTenantWrites'), bucket('tenantWrites')]
        : isAudit
          ? [bucket('auditReads')]
          : [];
      let pct: number | null = null;
      if (specs.length > 0) {
        const d = this.deps.throttler.take(specs, who.appId, who.tenantId);
        if (!d.ok) {
          throw new GraphError(
            429,
            'Request_ThrottledTemporarily',
            `Your request is throttled temporarily. Please try after ${d.retryAfterSeconds} seconds.`,
            {
              'retry-after': String(d.retryAfterSeconds),
              'x-ms-throttle-limit-percentage': '1.0',
              'x-ms-throttle-scope': d.scope,
              'x-ms-throttle-information': d.information,
            },
          );
        }
        pct = d.percentage;
      }
      const res = await route.handler(ctx, route.m);
      if (pct !== null) res.headers['x-ms-throttle-limit-percentage'] = pct.toFixed(1);
      if (!isWrite) res.headers['x-ms-resource-unit'] = '1';
      return finish(res);
    } catch (e) {
      if (e instanceof GraphError) {
        return finish({
          status: e.status,
          headers: { 'content-type': 'application/json', ...e.headers },
          body: graphErrorBody(e.code, e.message, req.requestId, req.clientRequestId, tenant.clock.now()),
        });
      }
      return finish({
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: graphErrorBody(
          'InternalServerError',
          e instanceof Error ? e.message : 'Internal error.',
          req.requestId,
          req.clientRequestId,
          tenant.clock.now(),
        ),
      });
    }
  }

  private match(method: string, path: string): (Route & { m: RegExpExecArray }) | undefined {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.re.exec(path);
      if (m) return { ...r, m };
    }
    return undefined;
  }

  private on(method: string, pattern: string, handler: Handler): void {
    this.routes.push({ method, re: new RegExp(`^${pattern}/?$`, 'i'), handler });
  }

  private require(ctx: Ctx, rule: ScopeRule): void {
    if (!hasScopes(ctx.who, rule)) throw denied();
  }

  private obj(ctx: Ctx, kind: DirObject['kind'], id: string | undefined): DirObject {
    const o = id ? ctx.tenant.object(id) : undefined;
    if (!o || o.kind !== kind) throw notFound(id ?? '');
    return o;
  }

  // ---- collections ---------------------------------------------------------------------------

  private list(ctx: Ctx, items: DirObject[], o: ListOptions): GraphResponse {
    const q = ctx.req.query;
    const wantCount = (q.get('$count') ?? '').toLowerCase() === 'true';
    if (wantCount && !ctx.advanced) throw new GraphError(400, 'Request_BadRequest', MSG_COUNT_UNSUPPORTED);
    const search = q.get('$search');
    if (search !== null) {
      if (!o.searchable) throw new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
      if (!ctx.advanced) throw new GraphError(400, 'Request_UnsupportedQuery', MSG_SEARCH_NEEDS_HEADER);
    }
    const select = parseSelect(
      q.get('$select'),
      o.selectable,
      o.typeName.charAt(0).toLowerCase() + o.typeName.slice(1),
    );
    let rows = items;
    const filterSrc = q.get('$filter');
    if (filterSrc !== null) {
      const node = parseFilter(filterSrc);
      for (const p of filterProperties(node)) {
        const root = p.split('/')[0] ?? '';
        if (!o.filterable.some((f) => f.toLowerCase() === p.toLowerCase() || f.toLowerCase() === root.toLowerCase())) {
          throw new GraphError(
            400,
            'Request_UnsupportedQuery',
            `Unsupported or invalid query filter clause specified for property '${root}' of resource '${o.typeName}'.`,
          );
        }
      }
      if (!ctx.advanced && o.advancedOnly && usesOperator(node, o.advancedOnly)) {
        const p = filterProperties(node)[0] ?? '';
        throw new GraphError(
          400,
          'Request_UnsupportedQuery',
          `Unsupported or invalid query filter clause specified for property '${p}' of resource '${o.typeName}'.`,
        );
      }
      rows = rows.filter((x) => evaluateFilter(node, filterView(x)));
    }
    if (search !== null) {
      const expr = parseSearch(search);
      rows = rows.filter((x) => matchesSearch(expr, filterView(x)));
    }
    const orderby = q.get('$orderby');
    if (orderby !== null) {
      const m = /^\s*displayName(\s+(asc|desc))?\s*$/i.exec(orderby);
      if (!m)
        throw new GraphError(
          400,
          'Request_UnsupportedQuery',
          `Unsupported sort property '${orderby.trim().split(/\s+/)[0] ?? ''}' for '${o.typeName}'.`,
        );
      if (filterSrc !== null && !ctx.advanced)
        throw new GraphError(400, 'Request_UnsupportedQuery', `Sorting not supported for current query.`);
      const desc = (m[2] ?? '').toLowerCase() === 'desc';
      rows = [...rows].sort((a, b) => a.displayName.localeCompare(b.displayName) * (desc ? -1 : 1));
    }
    return this.page(
      ctx,
      rows.map((x) => project(o.view(x), select)),
      o.contextPath,
      select,
      wantCount,
    );
  }

  private page(
    ctx: Ctx,
    all: Record<string, unknown>[],
    contextPath: string,
    select: string[] | null,
    wantCount: boolean,
    pageSizeMax = 999,
  ): GraphResponse {
    const q = ctx.req.query;
    const topRaw = q.get('$top');
    let top = ctx.tenant.settings.defaultPageSize;
    if (topRaw !== null) {
      const n = Number(topRaw);
      if (!Number.isInteger(n) || n < 1 || n > pageSizeMax) {
        throw new GraphError(
          400,
          'Request_BadRequest',
          `Invalid page size specified: '${topRaw}'. Must be between 1 and ${pageSizeMax} inclusive.`,
        );
      }
      top = n;
    }
    let offset = 0;
    const skip = q.get('$skiptoken');
    if (skip !== null) {
      const m = /^RFNwdAoAAQAAAA(\d+)$/.exec(skip);
      if (!m)
        throw new GraphError(400, 'Request_BadRequest', "Invalid value specified for query parameter '$skiptoken'.");
      offset = Number(m[1]);
    }
    const slice = all.slice(offset, offset + top);
    const body: Record<string, unknown> = {
      '@odata.context': `${this.base(ctx.req.version)}/$metadata#${contextPath}${select ? `(${select.join(',')})` : ''}`,
    };
    if (wantCount) body['@odata.count'] = all.length;
    if (offset + top < all.length) {
      const parts: string[] = [];
      q.forEach((v, k) => {
        if (k !== '$skiptoken') parts.push(`${k}=${encodeURIComponent(v)}`);
      });
      parts.push(`$skiptoken=RFNwdAoAAQAAAA${offset + top}`);
      body['@odata.nextLink'] = `${this.base(ctx.req.version)}${ctx.req.path}?${parts.join('&')}`;
    }
    body.value = slice;
    return this.ok(body);
  }

  private entity(
    ctx: Ctx,
    view: Record<string, unknown>,
    selectable: readonly string[],
    typeName: string,
    contextPath: string,
  ): GraphResponse {
    const select = parseSelect(ctx.req.query.get('$select'), selectable, typeName);
    return this.ok({
      '@odata.context': `${this.base(ctx.req.version)}/$metadata#${contextPath}${select ? `(${select.join(',')})` : ''}/$entity`,
      ...project(view, select),
    });
  }

  private memberOf(ctx: Ctx, o: DirObject, transitive: boolean): DirObject[] {
    const t = ctx.tenant;
    const direct = t.objectsOf('group').filter((g) => g.members.includes(o.id));
    if (!transitive) return direct;
    const seen = new Map<string, DirObject>();
    const queue = [...direct];
    while (queue.length > 0) {
      const g = queue.shift();
      if (!g || seen.has(g.id)) continue;
      seen.set(g.id, g);
      queue.push(...t.objectsOf('group').filter((p) => p.members.includes(g.id)));
    }
    return [...seen.values()];
  }

  private memberOfResponse(ctx: Ctx, o: DirObject, transitive: boolean): GraphResponse {
    const groups = this.memberOf(ctx, o, transitive).map((g) => typedView(g));
    const aus = ctx.tenant.state.administrativeUnits
      .filter((a) => a.members.includes(o.id))
      .map((a) => ({
        '@odata.type': '#microsoft.graph.administrativeUnit',
        id: a.id,
        deletedDateTime: null,
        displayName: a.displayName,
        description: a.description,
        visibility: null,
      }));
    const select = parseSelect(
      ctx.req.query.get('$select'),
      [...DIRECTORY_OBJECT_PROPS, 'description', 'visibility'],
      'directoryObject',
    );
    if ((ctx.req.query.get('$count') ?? '').toLowerCase() === 'true' && !ctx.advanced)
      throw new GraphError(400, 'Request_BadRequest', MSG_COUNT_UNSUPPORTED);
    return this.page(
      ctx,
      [...groups, ...aus].map((x) => project(x, select)),
      'directoryObjects',
      select,
      (ctx.req.query.get('$count') ?? '') === 'true',
    );
  }

  private directoryRoles(ctx: Ctx, oid: string): Record<string, unknown>[] {
    const t = ctx.tenant;
    return t.widsOf(oid).map((tpl) => ({
      '@odata.type': '#microsoft.graph.directoryRole',
      id: roleObjectId(t.state.tenantId, tpl),
      deletedDateTime: null,
      description: `${t.roleName(tpl)} (lab)`,
      displayName: t.roleName(tpl),
      roleTemplateId: tpl,
    }));
  }

  // ---- routes --------------------------------------------------------------------------------

  private register(): void {
    const ID = '([^/()]+)';
    const contactList: ListOptions = {
      typeName: 'OrgContact',
      contextPath: 'contacts',
      selectable: CONTACT_PROPS,
      filterable: [
        'displayName',
        'mail',
        'onPremisesSyncEnabled',
        'companyName',
        'department',
        'givenName',
        'surname',
        'id',
        'proxyAddresses',
        'onPremisesLastSyncDateTime',
        'onPremisesSyncBehavior/isCloudManaged',
      ],
      advancedOnly: (n) => (n.t === 'cmp' && n.op === 'ne') || n.t === 'not' || (n.t === 'fn' && n.name === 'endswith'),
      view: contactView,
      searchable: true,
    };
    const userList: ListOptions = {
      typeName: 'User',
      contextPath: 'users',
      selectable: USER_PROPS,
      filterable: [
        'displayName',
        'mail',
        'userPrincipalName',
        'onPremisesSyncEnabled',
        'onPremisesImmutableId',
        'department',
        'companyName',
        'givenName',
        'surname',
        'id',
        'onPremisesSyncBehavior/isCloudManaged',
      ],
      advancedOnly: (n) => (n.t === 'cmp' && n.op === 'ne') || n.t === 'not' || (n.t === 'fn' && n.name === 'endswith'),
      view: (o) => userView(o, false),
      searchable: true,
    };
    const groupList: ListOptions = {
      typeName: 'Group',
      contextPath: 'groups',
      selectable: GROUP_PROPS,
      filterable: [
        'displayName',
        'mail',
        'mailEnabled',
        'securityEnabled',
        'onPremisesSyncEnabled',
        'id',
        'groupTypes',
        'onPremisesSyncBehavior/isCloudManaged',
      ],
      advancedOnly: (n) => (n.t === 'cmp' && n.op === 'ne') || n.t === 'not' || (n.t === 'fn' && n.name === 'endswith'),
      view: groupView,
      searchable: true,
    };

    // contacts
    this.on('GET', '/contacts/\\$count', (ctx) => {
      this.require(ctx, SCOPES.contactsRead);
      if (!ctx.advanced) throw new GraphError(400, 'Request_BadRequest', MSG_COUNT_UNSUPPORTED);
      return {
        status: 200,
        headers: { 'content-type': 'text/plain;charset=utf-8' },
        body: String(ctx.tenant.objectsOf('contact').length),
      };
    });
    this.on('GET', '/contacts', (ctx) => {
      this.require(ctx, SCOPES.contactsRead);
      return this.list(ctx, ctx.tenant.objectsOf('contact'), contactList);
    });
    this.on('GET', `/contacts/${ID}`, (ctx, m) => {
      this.require(ctx, SCOPES.contactsRead);
      const o = this.obj(ctx, 'contact', m[1]);
      return this.entity(ctx, contactView(o), CONTACT_PROPS, 'orgContact', 'contacts');
    });
    this.on('PATCH', `/contacts/${ID}`, (ctx, m) => this.patchContact(ctx, m[1]));
    this.on('GET', `/contacts/${ID}/memberOf`, (ctx, m) => {
      this.require(ctx, SCOPES.contactMemberOf);
      return this.memberOfResponse(ctx, this.obj(ctx, 'contact', m[1]), false);
    });
    this.on('GET', `/contacts/${ID}/transitiveMemberOf`, (ctx, m) => {
      this.require(ctx, SCOPES.contactMemberOf);
      return this.memberOfResponse(ctx, this.obj(ctx, 'contact', m[1]), true);
    });

    // onPremisesSyncBehavior
    for (const [seg, kind] of [
      ['contacts', 'contact'],
      ['users', 'user'],
      ['groups', 'group'],
    ] as const) {
      this.on('GET', `/${seg}/${ID}/onPremisesSyncBehavior`, (ctx, m) => {
        const o = this.soaTarget(ctx, kind, m[1]);
        const select = parseSelect(ctx.req.query.get('$select'), ['id', 'isCloudManaged'], 'onPremisesSyncBehavior');
        return this.ok({
          '@odata.context': `${this.base(ctx.req.version)}/$metadata#${seg}('${o.id}')/onPremisesSyncBehavior${select ? `(${select.join(',')})` : ''}/$entity`,
          ...project({ id: o.id, isCloudManaged: o.isCloudManaged }, select),
        });
      });
      this.on('PATCH', `/${seg}/${ID}/onPremisesSyncBehavior`, (ctx, m) => {
        const o = this.soaTarget(ctx, kind, m[1]);
        const parsed = soaPatchSchema.safeParse(ctx.req.body);
        if (ctx.req.bodyInvalid || !parsed.success) {
          throw new GraphError(
            400,
            'BadRequest',
            'Write request is invalid: the body must be {"isCloudManaged": true|false}.',
          );
        }
        const raw = parsed.data.isCloudManaged;
        const value = typeof raw === 'boolean' ? raw : raw.toLowerCase() === 'true';
        const r = ctx.tenant.setCloudManaged(o, value, ctx.actor, ctx.ids);
        if (r === 'notSynced') throw new GraphError(400, 'Request_BadRequest', MSG_NOT_SYNCED);
        ctx.tenant.logWrite(ctx.actor, 'PATCH', `/${ctx.req.version}${ctx.req.path}`, o.id, ctx.req.body, ctx.ids);
        return { status: 204, headers: {}, body: null };
      });
    }

    // users
    this.on('GET', '/users', (ctx) => {
      this.require(ctx, SCOPES.usersRead);
      return this.list(ctx, ctx.tenant.objectsOf('user'), userList);
    });
    this.on('GET', `/users/${ID}`, (ctx, m) => {
      this.require(ctx, SCOPES.usersRead);
      const id = m[1] ?? '';
      const o = ctx.tenant.object(id) ?? ctx.tenant.adminByUpn(decodeURIComponent(id));
      if (!o || o.kind !== 'user') throw notFound(id);
      return this.entity(ctx, userView(o, (ctx.req.query.get('$select') ?? '') !== ''), USER_PROPS, 'user', 'users');
    });
    this.on('GET', `/users/${ID}/memberOf`, (ctx, m) => {
      this.require(ctx, SCOPES.usersRead);
      return this.memberOfResponse(ctx, this.obj(ctx, 'user', m[1]), false);
    });

    // groups
    this.on('GET', '/groups', (ctx) => {
      this.require(ctx, SCOPES.groupsRead);
      return this.list(ctx, ctx.tenant.objectsOf('group'), groupList);
    });
    this.on('GET', `/groups/${ID}`, (ctx, m) => {
      this.require(ctx, SCOPES.groupsRead);
      return this.entity(ctx, groupView(this.obj(ctx, 'group', m[1])), GROUP_PROPS, 'group', 'groups');
    });
    this.on('GET', `/groups/${ID}/members`, (ctx, m) => {
      this.require(ctx, SCOPES.groupsRead);
      const g = this.obj(ctx, 'group', m[1]);
      const members = g.members.map((id) => ctx.tenant.object(id)).filter((x): x is DirObject => x !== undefined);
      const select = parseSelect(ctx.req.query.get('$select'), DIRECTORY_OBJECT_PROPS, 'directoryObject');
      return this.page(
        ctx,
        members.map((x) => project(typedView(x), select)),
        'directoryObjects',
        select,
        false,
      );
    });
    this.on('GET', `/groups/${ID}/memberOf`, (ctx, m) => {
      this.require(ctx, SCOPES.groupsRead);
      return this.memberOfResponse(ctx, this.obj(ctx, 'group', m[1]), false);
    });

    // me
    const me = (ctx: Ctx): DirObject => {
      const o = ctx.tenant.object(ctx.who.oid);
      if (!o) throw notFound(ctx.who.oid);
      return o;
    };
    this.on('GET', '/me', (ctx) => {
      this.require(ctx, SCOPES.me);
      return this.entity(
        ctx,
        userView(me(ctx), (ctx.req.query.get('$select') ?? '') !== ''),
        USER_PROPS,
        'user',
        'users',
      );
    });
    const rolesOfMe = (ctx: Ctx, includeGroups: boolean, transitive: boolean): GraphResponse => {
      this.require(ctx, SCOPES.me);
      const o = me(ctx);
      const roles = this.directoryRoles(ctx, o.id);
      const groups = includeGroups ? this.memberOf(ctx, o, transitive).map((g) => typedView(g)) : [];
      const all = [...groups, ...roles];
      const select = parseSelect(
        ctx.req.query.get('$select'),
        [...DIRECTORY_OBJECT_PROPS, 'roleTemplateId', 'description'],
        'directoryObject',
      );
      const wantCount = (ctx.req.query.get('$count') ?? '').toLowerCase() === 'true';
      if (wantCount && !ctx.advanced) throw new GraphError(400, 'Request_BadRequest', MSG_COUNT_UNSUPPORTED);
      return this.page(
        ctx,
        all.map((x) => project(x, select)),
        includeGroups ? 'directoryObjects' : 'directoryRoles',
        select,
        wantCount,
      );
    };
    this.on('GET', '/me/memberOf', (ctx) => rolesOfMe(ctx, true, false));
    this.on('GET', '/me/transitiveMemberOf', (ctx) => rolesOfMe(ctx, true, true));
    this.on('GET', '/me/memberOf/microsoft\\.graph\\.directoryRole', (ctx) => rolesOfMe(ctx, false, false));
    this.on('GET', '/me/transitiveMemberOf/microsoft\\.graph\\.directoryRole', (ctx) => rolesOfMe(ctx, false, true));

    // role assignments
    this.on('GET', '/roleManagement/directory/roleAssignments', (ctx) => {
      this.require(ctx, SCOPES.roleAssignments);
      let rows: Record<string, unknown>[] = ctx.tenant.state.roleAssignments.map((r) => ({
        id: r.id,
        principalId: r.principalId,
        roleDefinitionId: r.roleDefinitionId,
        directoryScopeId: r.directoryScopeId,
        appScopeId: null,
        condition: null,
      }));
      const f = ctx.req.query.get('$filter');
      if (f !== null) {
        const node = parseFilter(f);
        for (const p of filterProperties(node)) {
          if (!['principalid', 'roledefinitionid', 'directoryscopeid', 'id'].includes(p.toLowerCase())) {
            throw new GraphError(
              400,
              'Request_UnsupportedQuery',
              `Unsupported or invalid query filter clause specified for property '${p}' of resource 'UnifiedRoleAssignment'.`,
            );
          }
        }
        rows = rows.filter((r) => evaluateFilter(node, r));
      }
      const select = parseSelect(
        ctx.req.query.get('$select'),
        ['id', 'principalId', 'roleDefinitionId', 'directoryScopeId', 'appScopeId', 'condition'],
        'unifiedRoleAssignment',
      );
      return this.page(
        ctx,
        rows.map((r) => project(r, select)),
        'roleManagement/directory/roleAssignments',
        select,
        false,
      );
    });

    // administrative units
    const auView = (a: { id: string; displayName: string; description: string }): Record<string, unknown> => ({
      id: a.id,
      deletedDateTime: null,
      displayName: a.displayName,
      description: a.description,
      visibility: null,
      membershipType: null,
    });
    const findAu = (
      ctx: Ctx,
      id: string | undefined,
    ): { id: string; displayName: string; description: string; members: string[] } => {
      const a = ctx.tenant.state.administrativeUnits.find((x) => x.id === id);
      if (!a) throw notFound(id ?? '');
      return a;
    };
    this.on('GET', '/directory/administrativeUnits', (ctx) => {
      this.require(ctx, SCOPES.auRead);
      let rows = ctx.tenant.state.administrativeUnits.map(auView);
      const f = ctx.req.query.get('$filter');
      if (f !== null) {
        const node = parseFilter(f);
        rows = rows.filter((r) => evaluateFilter(node, r));
      }
      const select = parseSelect(
        ctx.req.query.get('$select'),
        ['id', 'deletedDateTime', 'displayName', 'description', 'visibility', 'membershipType'],
        'administrativeUnit',
      );
      return this.page(
        ctx,
        rows.map((r) => project(r, select)),
        'directory/administrativeUnits',
        select,
        false,
      );
    });
    this.on('GET', `/directory/administrativeUnits/${ID}`, (ctx, m) => {
      this.require(ctx, SCOPES.auRead);
      return this.entity(
        ctx,
        auView(findAu(ctx, m[1])),
        ['id', 'deletedDateTime', 'displayName', 'description', 'visibility', 'membershipType'],
        'administrativeUnit',
        'directory/administrativeUnits',
      );
    });
    this.on('GET', `/directory/administrativeUnits/${ID}/members`, (ctx, m) => {
      this.require(ctx, SCOPES.auRead);
      const a = findAu(ctx, m[1]);
      const rows = a.members
        .map((id) => ctx.tenant.object(id))
        .filter((x): x is DirObject => x !== undefined)
        .map(typedView);
      const select = parseSelect(ctx.req.query.get('$select'), DIRECTORY_OBJECT_PROPS, 'directoryObject');
      return this.page(
        ctx,
        rows.map((r) => project(r, select)),
        'directoryObjects',
        select,
        false,
      );
    });
    this.on('POST', `/directory/administrativeUnits/${ID}/members/\\$ref`, (ctx, m) => {
      this.require(ctx, SCOPES.auWrite);
      const a = findAu(ctx, m[1]);
      if (!ctx.tenant.hasTenantRole(ctx.who.oid, [ROLE.privilegedRoleAdministrator, ROLE.globalAdministrator]))
        throw denied();
      const parsed = refSchema.safeParse(ctx.req.body);
      if (!parsed.success)
        throw new GraphError(
          400,
          'BadRequest',
          'Invalid request body: expected {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}.',
        );
      const idMatch = /\/([0-9a-fA-F-]{36})\/?$/.exec(parsed.data['@odata.id']);
      const memberId = idMatch?.[1]?.toLowerCase() ?? '';
      const target = ctx.tenant.object(memberId);
      if (!target) throw notFound(memberId);
      if (a.members.includes(target.id)) {
        throw new GraphError(
          400,
          'Request_BadRequest',
          "One or more added object references already exist for the following modified properties: 'members'.",
        );
      }
      a.members.push(target.id);
      ctx.tenant.logWrite(ctx.actor, 'POST', `/${ctx.req.version}${ctx.req.path}`, target.id, ctx.req.body, ctx.ids);
      return { status: 204, headers: {}, body: null };
    });
    this.on('DELETE', `/directory/administrativeUnits/${ID}/members/${ID}/\\$ref`, (ctx, m) => {
      this.require(ctx, SCOPES.auWrite);
      const a = findAu(ctx, m[1]);
      if (!ctx.tenant.hasTenantRole(ctx.who.oid, [ROLE.privilegedRoleAdministrator, ROLE.globalAdministrator]))
        throw denied();
      const mid = (m[2] ?? '').toLowerCase();
      if (!a.members.includes(mid)) throw notFound(mid);
      a.members = a.members.filter((x) => x !== mid);
      ctx.tenant.logWrite(ctx.actor, 'DELETE', `/${ctx.req.version}${ctx.req.path}`, mid, null, ctx.ids);
      return { status: 204, headers: {}, body: null };
    });

    // audit logs
    this.on('GET', '/auditLogs/directoryAudits', (ctx) => this.audits(ctx));

    // onPremisesSynchronization (beta; v1.0 accepted too)
    const syncView = (ctx: Ctx): Record<string, unknown> => ({
      id: ctx.tenant.state.onPremisesSynchronizationId,
      configuration: {
        accidentalDeletionPrevention: { synchronizationPreventionType: 'enabledForCount', alertThreshold: 500 },
        synchronizationInterval: 'PT30M',
        customerRequestedSynchronizationInterval: null,
      },
      features: { ...ctx.tenant.state.onPremisesSyncFeatures },
      synchronizationClientVersion: ctx.tenant.state.synchronizationClientVersion,
    });
    this.on('GET', '/directory/onPremisesSynchronization', (ctx) => {
      this.require(ctx, SCOPES.onPremSyncRead);
      return this.ok({
        '@odata.context': `${this.base(ctx.req.version)}/$metadata#directory/onPremisesSynchronization`,
        value: [syncView(ctx)],
      });
    });
    this.on('GET', `/directory/onPremisesSynchronization/${ID}`, (ctx, m) => {
      this.require(ctx, SCOPES.onPremSyncRead);
      if (m[1] !== ctx.tenant.state.onPremisesSynchronizationId) throw notFound(m[1] ?? '');
      return this.ok({
        '@odata.context': `${this.base(ctx.req.version)}/$metadata#directory/onPremisesSynchronization/$entity`,
        ...syncView(ctx),
      });
    });
    this.on('PATCH', `/directory/onPremisesSynchronization/${ID}`, (ctx, m) => {
      this.require(ctx, SCOPES.onPremSyncWrite);
      if (m[1] !== ctx.tenant.state.onPremisesSynchronizationId) throw notFound(m[1] ?? '');
      if (!ctx.tenant.hasTenantRole(ctx.who.oid, [ROLE.globalAdministrator, ROLE.hybridAdministrator])) throw denied();
      const parsed = onPremSyncPatchSchema.safeParse(ctx.req.body);
      if (!parsed.success) throw new GraphError(400, 'BadRequest', 'Write request is invalid.');
      const f = ctx.tenant.state.onPremisesSyncFeatures;
      const p = parsed.data.features;
      if (p.blockCloudObjectTakeoverThroughHardMatchEnabled !== undefined)
        f.blockCloudObjectTakeoverThroughHardMatchEnabled = p.blockCloudObjectTakeoverThroughHardMatchEnabled;
      if (p.blockSoftMatchEnabled !== undefined) f.blockSoftMatchEnabled = p.blockSoftMatchEnabled;
      if (p.passwordSyncEnabled !== undefined) f.passwordSyncEnabled = p.passwordSyncEnabled;
      if (p.softMatchOnUpnEnabled !== undefined) f.softMatchOnUpnEnabled = p.softMatchOnUpnEnabled;
      ctx.tenant.logWrite(
        ctx.actor,
        'PATCH',
        `/${ctx.req.version}${ctx.req.path}`,
        m[1] ?? null,
        ctx.req.body,
        ctx.ids,
      );
      return { status: 204, headers: {}, body: null };
    });

    // consent detection
    this.on('GET', '/oauth2PermissionGrants', (ctx) => {
      this.require(ctx, SCOPES.grants);
      let rows: Record<string, unknown>[] = ctx.tenant.state.grants.map((g) => ({ ...g }));
      const f = ctx.req.query.get('$filter');
      if (f !== null) {
        const node = parseFilter(f);
        rows = rows.filter((r) => evaluateFilter(node, r));
      }
      return this.page(ctx, rows, 'oauth2PermissionGrants', null, false);
    });
    this.on('GET', '/servicePrincipals', (ctx) => {
      this.require(ctx, SCOPES.servicePrincipals);
      const s = ctx.tenant.state;
      let rows: Record<string, unknown>[] = [
        {
          id: s.appServicePrincipalId,
          appId: s.clientId,
          displayName: 'soa-pilot (lab)',
          servicePrincipalType: 'Application',
        },
        {
          id: s.graphServicePrincipalId,
          appId: '00000003-0000-0000-c000-000000000000',
          displayName: 'Microsoft Graph',
          servicePrincipalType: 'Application',
        },
      ];
      const f = ctx.req.query.get('$filter');
      if (f !== null) {
        const node = parseFilter(f);
        rows = rows.filter((r) => evaluateFilter(node, r));
      }
      return this.page(ctx, rows, 'servicePrincipals', null, false);
    });
  }

  private soaTarget(ctx: Ctx, kind: DirObject['kind'], id: string | undefined): DirObject {
    this.require(ctx, SCOPES.soa[kind]);
    const o = this.obj(ctx, kind, id);
    if (!ctx.tenant.hasRoleOver(ctx.who.oid, HYBRID_ROLES, o.id)) throw denied();
    return o;
  }

  private patchContact(ctx: Ctx, id: string | undefined): GraphResponse {
    this.require(ctx, SCOPES.contactWrite);
    const o = this.obj(ctx, 'contact', id);
    if (!ctx.tenant.hasRoleOver(ctx.who.oid, HYBRID_ROLES, o.id)) throw denied();
    const parsed = contactPatchSchema.safeParse(ctx.req.body);
    if (ctx.req.bodyInvalid || !parsed.success) throw new GraphError(400, 'BadRequest', 'Write request is invalid.');
    const updates: [keyof DirObject, string | null][] = [];
    for (const [k, v] of Object.entries(parsed.data)) {
      if (k.startsWith('@odata.')) continue;
      if (k.toLowerCase() === 'onpremisessyncenabled')
        throw new GraphError(
          400,
          'Request_BadRequest',
          "Property 'onPremisesSyncEnabled' is read-only and cannot be set.",
        );
      const prop = CONTACT_WRITABLE[k.toLowerCase()];
      if (!prop)
        throw new GraphError(
          400,
          'Request_BadRequest',
          `Property '${k}' does not exist as a declared property or extension property.`,
        );
      if (v !== null && typeof v !== 'string')
        throw new GraphError(
          400,
          'Request_BadRequest',
          `Invalid value specified for property '${k}' of resource 'OrgContact'.`,
        );
      updates.push([prop, v]);
    }
    const synced = !o.isCloudManaged && o.onPremisesSyncEnabled === true;
    if (synced || o.takeover === 'awaitingExportConfirmation')
      throw new GraphError(400, 'Request_BadRequest', MSG_SYNCED_UPDATE);
    for (const [prop, v] of updates) {
      if (prop === 'displayName') {
        if (!v)
          throw new GraphError(
            400,
            'Request_BadRequest',
            "Invalid value specified for property 'displayName' of resource 'OrgContact'.",
          );
        o.displayName = v;
      } else if (
        prop === 'givenName' ||
        prop === 'surname' ||
        prop === 'companyName' ||
        prop === 'department' ||
        prop === 'jobTitle' ||
        prop === 'mail' ||
        prop === 'mailNickname'
      ) {
        o[prop] = v;
      }
    }
    ctx.tenant.logWrite(ctx.actor, 'PATCH', `/${ctx.req.version}${ctx.req.path}`, o.id, ctx.req.body, ctx.ids);
    return { status: 204, headers: {}, body: null };
  }

  private audits(ctx: Ctx): GraphResponse {
    this.require(ctx, SCOPES.audit);
    if (!ctx.tenant.hasTenantRole(ctx.who.oid, AUDIT_READER_ROLES)) throw denied();
    let rows: Record<string, unknown>[] = ctx.tenant.state.audit
      .filter((e: AuditEntry) => ctx.tenant.auditVisible(e))
      .map((e) => ({ ...e }));
    const f = ctx.req.query.get('$filter');
    if (f !== null) {
      const node = parseFilter(f);
      const allowed = [
        'activitydisplayname',
        'activitydatetime',
        'targetresources',
        'correlationid',
        'id',
        'loggedbyservice',
        'category',
        'result',
        'initiatedby',
      ];
      for (const p of filterProperties(node)) {
        const root = (p.split('/')[0] ?? '').toLowerCase();
        if (!allowed.includes(root))
          throw new GraphError(
            400,
            'Request_UnsupportedQuery',
            `Unsupported or invalid query filter clause specified for property '${p}' of resource 'DirectoryAudit'.`,
          );
      }
      rows = rows.filter((r) => evaluateFilter(node, r));
    }
    rows.sort((a, b) => String(b.activityDateTime).localeCompare(String(a.activityDateTime)));
    const orderby = ctx.req.query.get('$orderby');
    if (orderby !== null && /activityDateTime\s+asc/i.test(orderby)) rows.reverse();
    const select = parseSelect(
      ctx.req.query.get('$select'),
      [
        'id',
        'category',
        'correlationId',
        'result',
        'resultReason',
        'activityDisplayName',
        'activityDateTime',
        'loggedByService',
        'operationType',
        'initiatedBy',
        'targetResources',
        'additionalDetails',
      ],
      'directoryAudit',
    );
    return this.page(
      ctx,
      rows.map((r) => project(r, select)),
      'auditLogs/directoryAudits',
      select,
      false,
      1000,
    );
  }

  // ---- $batch --------------------------------------------------------------------------------

  private async batch(req: GraphRequest): Promise<GraphResponse> {
    const parsed = batchSchema.safeParse(req.body);
    if (req.bodyInvalid || !parsed.success) throw new GraphError(400, 'BadRequest', 'Invalid batch payload format.');
    const reqs = parsed.data.requests;
    if (reqs.length === 0)
      throw new GraphError(400, 'BadRequest', 'Invalid batch payload format: the batch contains no requests.');
    if (reqs.length > 20)
      throw new GraphError(400, 'BadRequest', 'Number of requests in the batch exceeds the maximum of 20.');
    const ids = new Set<string>();
    for (const r of reqs) {
      if (ids.has(r.id)) throw new GraphError(400, 'BadRequest', `Batch request id '${r.id}' is not unique.`);
      ids.add(r.id);
    }
    for (const r of reqs) {
      for (const d of r.dependsOn ?? [])
        if (!ids.has(d))
          throw new GraphError(400, 'BadRequest', `Request '${r.id}' depends on unknown request '${d}'.`);
      if (r.body !== undefined && !Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'content-type')) {
        throw new GraphError(400, 'BadRequest', `Request '${r.id}' has a body but no Content-Type header.`);
      }
    }
    const status = new Map<string, number>();
    const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
    const pending = [...reqs];
    const done = new Set<string>();
    while (pending.length > 0) {
      const idx = pending.findIndex((r) => (r.dependsOn ?? []).every((d) => done.has(d)));
      const r = idx >= 0 ? pending.splice(idx, 1)[0] : pending.shift();
      if (!r) break;
      const innerRequestId = randomUUID();
      const failedDep = (r.dependsOn ?? []).find((d) => {
        const s = status.get(d);
        return s === undefined || s < 200 || s >= 300;
      });
      let res: GraphResponse;
      if (failedDep !== undefined) {
        res = {
          status: 424,
          headers: { 'content-type': 'application/json' },
          body: graphErrorBody(
            'FailedDependency',
            `The request failed because it depends on request '${failedDep}', which failed.`,
            innerRequestId,
            req.clientRequestId,
            this.deps.tenant().clock.now(),
          ),
        };
      } else {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
        if (headers.authorization === undefined && req.headers.authorization !== undefined)
          headers.authorization = req.headers.authorization;
        // absolute URLs and a leading version segment (what BatchRequestContent produces) are accepted
        const rel = r.url
          .replace(/^https:\/\/[^/]+/i, '')
          .replace(/^\/?/, '/')
          .replace(/^\/(v1\.0|beta)(?=\/)/i, '');
        const u = new URL(`http://x${rel}`);
        const path = decodeURIComponent(u.pathname);
        const fault = this.deps.faults.decide(r.method.toUpperCase(), `/${req.version}${path}`, false);
        if (fault.latencyMs > 0) await new Promise((ok) => setTimeout(ok, fault.latencyMs));
        if (fault.action?.kind === 'status') {
          res = faultResponse(
            fault.action.status,
            fault.action.retryAfterSeconds,
            innerRequestId,
            headers['client-request-id'] ?? req.clientRequestId,
            this.deps.tenant().clock.now(),
          );
        } else {
          res = await this.handle({
            method: r.method.toUpperCase(),
            version: req.version,
            path,
            query: u.searchParams,
            headers,
            body: r.body,
            requestId: innerRequestId,
            clientRequestId: headers['client-request-id'] ?? req.clientRequestId,
            batchStepId: r.id,
          });
        }
      }
      status.set(r.id, res.status);
      done.add(r.id);
      const out: { id: string; status: number; headers: Record<string, string>; body?: unknown } = {
        id: r.id,
        status: res.status,
        headers: {},
      };
      for (const [k, v] of Object.entries(res.headers)) out.headers[canonicalHeader(k)] = v;
      if (res.body !== null) out.body = res.body;
      responses.push(out);
    }
    responses.sort((a, b) => reqs.findIndex((x) => x.id === a.id) - reqs.findIndex((x) => x.id === b.id));
    return this.ok({ responses });
  }
}

function canonicalHeader(k: string): string {
  if (k === 'content-type') return 'Content-Type';
  if (k === 'retry-after') return 'Retry-After';
  return k;
}

export function faultResponse(
  status: 429 | 500 | 503 | 504,
  retryAfterSeconds: number | undefined,
  requestId: string,
  clientRequestId: string | null,
  now: number,
): GraphResponse {
  if (status === 429) {
    // An injected throttle looks exactly like a real bucket running dry.
    const wait = retryAfterSeconds ?? 5;
    return {
      status,
      headers: {
        'content-type': 'application/json',
        'request-id': requestId,
        'client-request-id': clientRequestId ?? requestId,
        'retry-after': String(wait),
        'x-ms-throttle-limit-percentage': '1.0',
        'x-ms-throttle-scope': 'Tenant_Application/ReadWrite',
        'x-ms-throttle-information': 'InjectedFault',
      },
      body: graphErrorBody(
        'Request_ThrottledTemporarily',
        `Your request is throttled temporarily. Please try after ${wait} seconds.`,
        requestId,
        clientRequestId,
        now,
      ),
    };
  }
  const code = status === 500 ? 'InternalServerError' : status === 503 ? 'ServiceUnavailable' : 'GatewayTimeout';
  const message =
    status === 500
      ? 'Internal server error.'
      : status === 503
        ? 'The service is temporarily unavailable. Please retry later.'
        : 'The gateway did not receive a timely response.';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'request-id': requestId,
    'client-request-id': clientRequestId ?? requestId,
  };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return { status, headers, body: graphErrorBody(code, message, requestId, clientRequestId, now) };
}

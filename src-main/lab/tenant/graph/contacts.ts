/** Organizational contacts: list, $count, read, PATCH of the writable properties, memberOf. */
import { z } from 'zod';
import type { DirObject } from '../model';
import { GraphError } from '../odata';
import { ID, noContent, type Ctx, type GraphResponse, type RouteSpec } from './context';
import { entity, list, needsAdvancedQuery, type ListOptions } from './collections';
import { CONTACT_PROPS, contactView, objectOf } from './directory-objects';
import {
  MSG_COUNT_UNSUPPORTED,
  MSG_EXTERNAL_SERVICE_UPDATE,
  MSG_SYNCED_UPDATE,
  MSG_UNRECOGNISED_UPDATE,
  denied,
} from './errors';
import { memberOfResponse } from './membership';
import { SCOPES, contactWriteScopes, requireScopes } from './scopes';

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
  advancedOnly: needsAdvancedQuery,
  // endsWith is documented for users and groups (advanced queries), not for orgContact
  unsupportedFunctions: ['endswith'],
  view: contactView,
  searchable: true,
};

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

function patchContact(ctx: Ctx, id: string | undefined): GraphResponse {
  requireScopes(ctx, contactWriteScopes(ctx.tenant.settings.contactPatchScope));
  const o = objectOf(ctx, 'contact', id);
  if (!ctx.tenant.canOver(ctx.who.oid, 'microsoft.directory/contacts/basic/update', o.id)) throw denied();
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
  if (synced || o.takeover === 'awaitingExportConfirmation') throw syncedRefusal(ctx, o);
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
  return noContent();
}

/**
 * How Graph refuses a write to a synced contact: undocumented, so each plausible variant is a lab
 * setting (`syncedContactPatch`, and `mailEnabledContactPatch` for a mail-enabled one).
 */
function syncedRefusal(ctx: Ctx, o: DirObject): GraphError {
  const s = ctx.tenant.settings;
  if (o.mail !== null) {
    if (s.mailEnabledContactPatch === 'externalService')
      return new GraphError(400, 'Request_BadRequest', MSG_EXTERNAL_SERVICE_UPDATE);
    if (s.mailEnabledContactPatch === 'unrecognisedBadRequest')
      return new GraphError(400, 'Request_BadRequest', MSG_UNRECOGNISED_UPDATE);
  }
  switch (s.syncedContactPatch) {
    case 'documentedBadRequest':
      return new GraphError(400, 'Request_BadRequest', MSG_SYNCED_UPDATE);
    case 'unrecognisedBadRequest':
      return new GraphError(400, 'Request_BadRequest', MSG_UNRECOGNISED_UPDATE);
    case 'otherCodeBadRequest':
      return new GraphError(400, 'Directory_ObjectMasteredOnPremises', MSG_UNRECOGNISED_UPDATE);
    case 'forbidden':
      return denied();
  }
}

export const contactRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/contacts/\\$count',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.contactsRead);
      if (!ctx.advanced) throw new GraphError(400, 'Request_BadRequest', MSG_COUNT_UNSUPPORTED);
      return {
        status: 200,
        headers: { 'content-type': 'text/plain;charset=utf-8' },
        body: String(ctx.tenant.objectsOf('contact').length),
      };
    },
  },
  {
    method: 'GET',
    pattern: '/contacts',
    handler: (ctx) => {
      requireScopes(ctx, SCOPES.contactsRead);
      return list(ctx, ctx.tenant.objectsOf('contact'), contactList);
    },
  },
  {
    method: 'GET',
    pattern: `/contacts/${ID}`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.contactsRead);
      const o = objectOf(ctx, 'contact', m[1]);
      return entity(ctx, contactView(o), CONTACT_PROPS, 'orgContact', 'contacts');
    },
  },
  { method: 'PATCH', pattern: `/contacts/${ID}`, handler: (ctx, m) => patchContact(ctx, m[1]) },
  {
    method: 'GET',
    pattern: `/contacts/${ID}/memberOf`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.contactMemberOf);
      return memberOfResponse(ctx, objectOf(ctx, 'contact', m[1]), false);
    },
  },
  {
    method: 'GET',
    pattern: `/contacts/${ID}/transitiveMemberOf`,
    handler: (ctx, m) => {
      requireScopes(ctx, SCOPES.contactMemberOf);
      return memberOfResponse(ctx, objectOf(ctx, 'contact', m[1]), true);
    },
  },
];

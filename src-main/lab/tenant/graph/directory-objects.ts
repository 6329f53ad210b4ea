/**
 * Directory objects as Graph shows them: the property lists of each type, the views built from
 * the lab's model, and the lookup of one object by id and kind.
 */
import type { DirObject } from '../model';
import type { Ctx } from './context';
import { notFound } from './errors';

export const CONTACT_PROPS = [
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
export const USER_PROPS = [
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
export const GROUP_PROPS = [
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
export const DIRECTORY_OBJECT_PROPS = [...new Set([...CONTACT_PROPS, ...USER_PROPS, ...GROUP_PROPS])];

export function contactView(o: DirObject): Record<string, unknown> {
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
export function userView(o: DirObject, all: boolean): Record<string, unknown> {
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
export function groupView(o: DirObject): Record<string, unknown> {
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
export function typedView(o: DirObject): Record<string, unknown> {
  const type = o.kind === 'contact' ? 'orgContact' : o.kind;
  const v = o.kind === 'contact' ? contactView(o) : o.kind === 'user' ? userView(o, false) : groupView(o);
  return { '@odata.type': `#microsoft.graph.${type}`, ...v };
}
/** what $filter sees: the full view plus navigation values the lab lets you filter on */
export function filterView(o: DirObject): Record<string, unknown> {
  const base = o.kind === 'contact' ? contactView(o) : o.kind === 'user' ? userView(o, true) : groupView(o);
  return { ...base, onPremisesSyncBehavior: { isCloudManaged: o.isCloudManaged } };
}

/** The directory object `id` of the given kind, or the Graph 404. */
export function objectOf(ctx: Ctx, kind: DirObject['kind'], id: string | undefined): DirObject {
  const o = id ? ctx.tenant.object(id) : undefined;
  if (!o || o.kind !== kind) throw notFound(id ?? '');
  return o;
}

/** Per object type: the Graph collection, the SOA scope, and the Connect Sync version floor. */
export type BulkObjectType = 'contact' | 'user' | 'group';

export interface ObjectTypeInfo {
  type: BulkObjectType;
  collection: 'contacts' | 'users' | 'groups';
  /** Delegated scope for GET/PATCH onPremisesSyncBehavior (no read-only variant exists). */
  soaScope: string;
  /** Minimum Connect Sync version for SOA of this type. */
  connectSyncFloor: string;
  /** Properties selected when planning. */
  select: string;
}

export const OBJECT_TYPES: Record<BulkObjectType, ObjectTypeInfo> = {
  contact: {
    type: 'contact',
    collection: 'contacts',
    soaScope: 'Contacts-OnPremisesSyncBehavior.ReadWrite.All',
    connectSyncFloor: '2.5.79.0',
    select: 'id,displayName,mail,companyName,department,onPremisesSyncEnabled,onPremisesLastSyncDateTime',
  },
  user: {
    type: 'user',
    collection: 'users',
    soaScope: 'User-OnPremisesSyncBehavior.ReadWrite.All',
    connectSyncFloor: '2.5.76.0',
    select:
      'id,displayName,mail,userPrincipalName,companyName,department,onPremisesSyncEnabled,onPremisesLastSyncDateTime,onPremisesImmutableId',
  },
  group: {
    type: 'group',
    collection: 'groups',
    soaScope: 'Group-OnPremisesSyncBehavior.ReadWrite.All',
    connectSyncFloor: '2.5.76.0',
    select: 'id,displayName,mail,onPremisesSyncEnabled,onPremisesLastSyncDateTime',
  },
};

/**
 * Scopes a bulk run needs for a type: reads of the objects, their group memberships (the plan's cloud-reference
 * check; a contact's memberOf needs OrgContact.Read.All + Group.Read.All, docs/reference/graph-and-identity.md)
 * and the SOA endpoint.
 */
export function scopesFor(type: BulkObjectType): string[] {
  const read = type === 'contact' ? 'OrgContact.Read.All' : type === 'user' ? 'User.Read.All' : 'Group.Read.All';
  return type === 'contact'
    ? [OBJECT_TYPES[type].soaScope, read, 'Group.Read.All']
    : [OBJECT_TYPES[type].soaScope, read];
}

export function syncBehaviorUrl(type: BulkObjectType, id: string): string {
  return `/${OBJECT_TYPES[type].collection}/${encodeURIComponent(id)}/onPremisesSyncBehavior?$select=isCloudManaged`;
}

export function syncBehaviorPatchUrl(type: BulkObjectType, id: string): string {
  return `/${OBJECT_TYPES[type].collection}/${encodeURIComponent(id)}/onPremisesSyncBehavior`;
}

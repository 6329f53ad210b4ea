/**
 * The lab's synchronization rules, in the shape `Get-ADSyncRule` returns (member names from the
 * public models reflected from the ADSync types: docs/reference/adsync-types.md,
 * "ADSync object shapes"). One inbound rule per AD connector and object type (AD attribute →
 * metaverse attribute) and one outbound rule per object type on the Entra connector (metaverse →
 * Entra ID). Only direct flows are modelled.
 *
 * Contacts: `description` flows to Entra ID only with the SharePoint Online attribute set
 * (Microsoft's "attributes synchronized" page lists description for contacts only there), so the
 * outbound contact rule carries that flow only while the lab setting `sharePointAttributeSet` is on.
 */
import { guidFromName, EMPTY_GUID } from './guids.js';
import type { AdObjectState, AdStringAttr } from './state.js';

export type SyncedKind = AdObjectState['kind'];

const KIND_LABEL = { contact: 'Contact', user: 'User', group: 'Group' } as const;
/** Metaverse object type per AD object type (contacts and users both project to person). */
export const MV_TYPE: Record<SyncedKind, string> = { contact: 'person', user: 'person', group: 'group' };

const INBOUND: Record<SyncedKind, AdStringAttr[]> = {
  contact: ['displayName', 'mail', 'givenName', 'sn', 'company', 'department', 'description'],
  user: ['displayName', 'mail', 'givenName', 'sn', 'company', 'department', 'description'],
  group: ['displayName', 'mail', 'description'],
};

/** Metaverse attributes the outbound rule of each object type flows to Entra ID. */
export function outboundAttributes(kind: SyncedKind, sharePointAttributeSet: boolean): AdStringAttr[] {
  if (kind === 'group') return ['displayName', 'mail', 'description'];
  const base: AdStringAttr[] = ['displayName', 'mail', 'givenName', 'sn', 'company', 'department'];
  if (kind === 'user' || sharePointAttributeSet) base.push('description');
  return base;
}

/** AD attributes whose change reaches Entra ID for this object type (inbound ∩ outbound). */
export function flowingAdAttributes(kind: SyncedKind, sharePointAttributeSet: boolean): Set<AdStringAttr> {
  const out = new Set(outboundAttributes(kind, sharePointAttributeSet));
  return new Set(INBOUND[kind].filter((a) => out.has(a)));
}

interface RuleConnector {
  Name: string;
  Identifier: string;
}

function flow(attr: string): Record<string, unknown> {
  return { Source: [attr], Destination: attr, FlowType: 'Direct', ValueMergeType: 'Update', Expression: null };
}

function rule(
  name: string,
  connector: RuleConnector,
  direction: 'Inbound' | 'Outbound',
  source: string,
  target: string,
  precedence: number,
  linkType: 'Join' | 'Provision',
  attrs: string[],
): Record<string, unknown> {
  const id = guidFromName(`rule:${connector.Identifier}:${name}`);
  return {
    Identifier: id,
    InternalId: guidFromName(`rule-internal:${id}`),
    Name: name,
    Version: '1.0',
    Description: '',
    ImmutableTag: `Microsoft.${name.replace(/[^A-Za-z]+/g, '')}.001`,
    Connector: connector.Identifier,
    Direction: direction,
    Disabled: false,
    SourceObjectType: source,
    TargetObjectType: target,
    Precedence: precedence,
    PrecedenceAfter: EMPTY_GUID,
    PrecedenceBefore: EMPTY_GUID,
    LinkType: linkType,
    EnablePasswordSync: false,
    JoinFilter: [],
    ScopeFilter: [],
    AttributeFlowMappings: attrs.map(flow),
    SoftDeleteExpiryInterval: '00:00:00',
    SourceNamespaceId: null,
    TargetNamespaceId: null,
    VersionAgnosticTag: `Microsoft.${name.replace(/[^A-Za-z]+/g, '')}`,
    TagVersion: null,
    IsStandardRule: true,
    IsLegacyCustomRule: false,
    JoinHash: null,
  };
}

export function syncRuleViews(
  adConnectors: RuleConnector[],
  entra: RuleConnector,
  sharePointAttributeSet: boolean,
): Record<string, unknown>[] {
  const kinds: SyncedKind[] = ['contact', 'user', 'group'];
  const rules: Record<string, unknown>[] = [];
  let precedence = 100;
  for (const ad of adConnectors) {
    for (const kind of kinds) {
      precedence += 1;
      rules.push(
        rule(`In from AD - ${KIND_LABEL[kind]} Common`, ad, 'Inbound', kind, MV_TYPE[kind], precedence, 'Join', [
          ...INBOUND[kind],
        ]),
      );
    }
  }
  for (const kind of kinds) {
    precedence += 1;
    rules.push(
      rule(
        `Out to AAD - ${KIND_LABEL[kind]} Join`,
        entra,
        'Outbound',
        MV_TYPE[kind],
        kind,
        precedence,
        'Provision',
        outboundAttributes(kind, sharePointAttributeSet),
      ),
    );
  }
  return rules;
}

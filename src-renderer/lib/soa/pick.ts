/**
 * Step 2: find the contact in the cloud (by name or mail) and its on-premises object (by mail, then
 * display name). A match by mail or name is a guess the admin confirms; the DN is what the server
 * steps trace.
 */
import type { OnPremContact } from '@contract';
import { searchContacts, type OrgContact } from '../graph/soa-graph';
import { listCloudSyncConfigurations, searchDomainsOf } from '../graph/cloud-sync-graph';
import type { GraphResult } from '../graph/graph-result';
import type { FlowPorts } from './ports';

/** One page of search results: the matches, how many there are in all, and where the next page starts. */
export interface ContactResults {
  items: OrgContact[];
  /** `@odata.count`: every match, not only this page (null when Graph did not say). */
  count: number | null;
  /** Present when there are more matches than shown (the next page's link). */
  next: string | null;
}

/** A page of contacts matching `text` (25 by default); pass `from` (a page's `next`) for the page after it. */
export async function findContacts(
  ports: FlowPorts,
  text: string,
  options: { top?: number; from?: string } = {},
): Promise<GraphResult<ContactResults>> {
  const r = await searchContacts(ports.graph, {
    text,
    top: options.top ?? 25,
    maxPages: 1,
    ...(options.from ? { from: options.from } : {}),
  });
  if (!r.ok) return r;
  return { ...r, value: { items: r.value.items, count: r.value.count, next: r.value.nextLink } };
}

export interface OnPremMatch {
  matches: OnPremContact[];
  matchedBy: 'mail' | 'displayName' | 'none';
  /** The on-prem lookup could not run (server unavailable…): the admin may type a DN. */
  error?: string;
  command: string;
  /**
   * The Cloud Sync jobs' AD domains (DomainFQDN) the search also asked with `-Server`, because the server's own
   * domain and its AD connectors' domains held no match (absent when they were not asked).
   */
  cloudSyncDomains?: string[];
}

/**
 * Find the contact's on-premises object by mail, then by display name: first where the server looks by itself (its
 * own domain and the domains its AD connectors sync); when that finds nothing, again in the AD domains of the
 * tenant's Cloud Sync jobs (their DomainFQDN), which may be in forests no connector names
 * (docs/reference/adsync-types.md). The domains are data for `-Server`, never code.
 */
export async function matchOnPrem(
  ports: FlowPorts,
  contact: Pick<OrgContact, 'mail' | 'displayName'>,
): Promise<OnPremMatch> {
  const first = await searchOnPrem(ports, contact, undefined);
  if (first.matches.length > 0 || first.error !== undefined || first.command === '') return first;
  const domains = await cloudSyncDomains(ports);
  if (domains.length === 0) return first;
  const again = await searchOnPrem(ports, contact, domains);
  return { ...again, cloudSyncDomains: domains };
}

async function searchOnPrem(
  ports: FlowPorts,
  contact: Pick<OrgContact, 'mail' | 'displayName'>,
  domains: string[] | undefined,
): Promise<OnPremMatch> {
  const server = domains ? ` (also with -Server ${domains.join(', ')})` : '';
  const extra = domains ? { domains } : {};
  if (contact.mail) {
    const r = await ports.ipc.call('server.findOnPremContact', { mail: contact.mail, ...extra });
    const command = `Get-ADObject -LDAPFilter '(&(objectClass=contact)(mail=${contact.mail}))' -Properties displayName,mail,description${server}`;
    if (!r.ok) return { matches: [], matchedBy: 'none', error: r.error.message, command };
    if (r.value.matches.length > 0) return { matches: r.value.matches, matchedBy: 'mail', command };
  }
  if (contact.displayName) {
    const command = `Get-ADObject -LDAPFilter '(&(objectClass=contact)(displayName=${contact.displayName}))' -Properties displayName,mail,description${server}`;
    const r = await ports.ipc.call('server.findOnPremContact', { displayName: contact.displayName, ...extra });
    if (!r.ok) return { matches: [], matchedBy: 'none', error: r.error.message, command };
    if (r.value.matches.length > 0) return { matches: r.value.matches, matchedBy: 'displayName', command };
    return { matches: [], matchedBy: 'none', command };
  }
  return { matches: [], matchedBy: 'none', command: '' };
}

/** The AD domains of the tenant's Cloud Sync jobs; none when there are none or they cannot be read. */
async function cloudSyncDomains(ports: FlowPorts): Promise<string[]> {
  const c = await listCloudSyncConfigurations(ports.graph);
  return c.ok ? searchDomainsOf(c.value.configurations) : [];
}

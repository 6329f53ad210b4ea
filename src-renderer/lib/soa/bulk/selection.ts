/**
 * Selecting objects for a bulk plan: by filter (name prefix, mail domain, company, department)
 * through Graph, by explicit ids, or from a saved selection (a list of ids).
 */
import type { GraphBatchPort, Clock } from './ports';
import { readCollection, odataString } from './batch-reads';
import { OBJECT_TYPES, scopesFor, type BulkObjectType } from './object-types';
import type { DirectoryObject } from './graph-bodies';

export interface SelectedObject {
  id: string;
  objectType: BulkObjectType;
  displayName: string | null;
  mail: string | null;
  /** How it was selected (filter text or CSV line) for the plan's evidence. */
  source: string;
}

export interface SelectionFilter {
  namePrefix?: string;
  /** e.g. `fabrikam.com` (with or without the @) */
  mailDomain?: string;
  company?: string;
  department?: string;
}

/** The `$filter` for a selection; throws when the filter is empty (a bulk run never means "everything" by accident). */
export function filterExpression(f: SelectionFilter): string {
  const parts = serverParts(f, true);
  if (parts.length === 0)
    throw new Error('Choose at least one filter (name prefix, mail domain, company or department).');
  return parts.join(' and ');
}

function mailDomainOf(f: SelectionFilter): string | null {
  const d = f.mailDomain?.trim().replace(/^@/, '');
  return d ? `@${d}` : null;
}

function serverParts(f: SelectionFilter, withMailDomain: boolean): string[] {
  const parts: string[] = [];
  if (f.namePrefix?.trim()) parts.push(`startswith(displayName,${odataString(f.namePrefix.trim())})`);
  const domain = mailDomainOf(f);
  if (domain && withMailDomain) parts.push(`endswith(mail,${odataString(domain)})`);
  if (f.company?.trim()) parts.push(`companyName eq ${odataString(f.company.trim())}`);
  if (f.department?.trim()) parts.push(`department eq ${odataString(f.department.trim())}`);
  return parts;
}

/**
 * Select by filter. `endsWith` is documented for users and groups (advanced queries) but not for
 * orgContact (docs/reference/graph-and-identity.md#cors), so for contacts the mail domain is matched
 * here, over paged reads of the rest of the filter (or of every contact when the domain is all there is).
 */
export async function selectByFilter(
  graph: GraphBatchPort,
  objectType: BulkObjectType,
  filter: SelectionFilter,
  options: { clock?: Clock; maxObjects?: number } = {},
): Promise<SelectedObject[]> {
  const info = OBJECT_TYPES[objectType];
  const described = filterExpression(filter);
  const domain = mailDomainOf(filter);
  const clientDomain = objectType === 'contact' ? domain : null;
  const server = serverParts(filter, clientDomain === null).join(' and ');
  const url = `/${info.collection}?${server ? `$filter=${encodeURIComponent(server)}&` : ''}$select=${info.select}&$count=true&$top=999`;
  const objects = await readCollection(graph, url, {
    scopes: scopesFor(objectType),
    headers: { ConsistencyLevel: 'eventual' },
    ...(options.clock ? { clock: options.clock } : {}),
    // with a client-side domain match the cap applies after matching
    ...(options.maxObjects !== undefined && clientDomain === null ? { maxObjects: options.maxObjects } : {}),
  });
  const matched = clientDomain
    ? objects.filter((o) => (o.mail ?? '').toLowerCase().endsWith(clientDomain.toLowerCase()))
    : objects;
  const capped = options.maxObjects !== undefined ? matched.slice(0, options.maxObjects) : matched;
  const source = clientDomain
    ? `filter: ${server || '(all contacts)'}; mail ends with ${clientDomain} (matched here: Graph does not document endsWith on contacts)`
    : `filter: ${described}`;
  return dedupe(capped.map((o) => toSelected(o, objectType, source)));
}

export function toSelected(o: DirectoryObject, objectType: BulkObjectType, source: string): SelectedObject {
  return { id: o.id, objectType, displayName: o.displayName ?? null, mail: o.mail ?? null, source };
}

export function dedupe(list: SelectedObject[]): SelectedObject[] {
  const seen = new Set<string>();
  return list.filter((o) => (seen.has(o.id) ? false : (seen.add(o.id), true)));
}

/** A saved selection: the ids and their type, as JSON (kept in the app data folder by the caller). */
export interface SavedSelection {
  version: 1;
  objectType: BulkObjectType;
  createdAt: string;
  description: string;
  ids: string[];
}

export function saveSelection(
  objectType: BulkObjectType,
  objects: SelectedObject[],
  description: string,
  now = new Date(),
): SavedSelection {
  return { version: 1, objectType, createdAt: now.toISOString(), description, ids: objects.map((o) => o.id) };
}

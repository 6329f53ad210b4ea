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
  const parts: string[] = [];
  if (f.namePrefix?.trim()) parts.push(`startswith(displayName,${odataString(f.namePrefix.trim())})`);
  if (f.mailDomain?.trim()) parts.push(`endswith(mail,${odataString('@' + f.mailDomain.trim().replace(/^@/, ''))})`);
  if (f.company?.trim()) parts.push(`companyName eq ${odataString(f.company.trim())}`);
  if (f.department?.trim()) parts.push(`department eq ${odataString(f.department.trim())}`);
  if (parts.length === 0)
    throw new Error('Choose at least one filter (name prefix, mail domain, company or department).');
  return parts.join(' and ');
}

export async function selectByFilter(
  graph: GraphBatchPort,
  objectType: BulkObjectType,
  filter: SelectionFilter,
  options: { clock?: Clock; maxObjects?: number } = {},
): Promise<SelectedObject[]> {
  const info = OBJECT_TYPES[objectType];
  const expr = filterExpression(filter);
  const url = `/${info.collection}?$filter=${encodeURIComponent(expr)}&$select=${info.select}&$count=true&$top=999`;
  const objects = await readCollection(graph, url, {
    scopes: scopesFor(objectType),
    headers: { ConsistencyLevel: 'eventual' },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.maxObjects !== undefined ? { maxObjects: options.maxObjects } : {}),
  });
  return dedupe(objects.map((o) => toSelected(o, objectType, `filter: ${expr}`)));
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

/**
 * Where a bulk selection comes from, apart from the view state: a filter (never empty), a saved selection file, or a finished run in the journal (read page by page).
 */
import {
  journalPages,
  transferredByRun,
  type BridgeCall,
  type BulkObjectType,
  type JournalPort,
  type SelectedObject,
  type SelectionFilter,
} from '../lib/soa/bulk';
import { TYPE_LABEL, type Problem } from './bulk-labels';
import { JournalRunTally, parseSavedSelection, type JournalRun } from './run-store';

const FILTER_FIELDS = ['namePrefix', 'mailDomain', 'company', 'department'] as const;

/** The problem with a filter that selects nothing in particular, or undefined when it names something. */
export function emptyFilterProblem(filter: SelectionFilter): Problem | undefined {
  if (FILTER_FIELDS.some((k) => filter[k]?.trim())) return undefined;
  return {
    title: 'No filter.',
    message: 'A bulk selection never means "everything".',
    fix: 'Fill in at least one of name prefix, mail domain, company or department, then select again.',
  };
}

/** How the selection is labelled in the plan and report: `filter: namePrefix "A", company "B"`. */
export function filterLabel(filter: SelectionFilter): string {
  const parts = Object.entries(filter)
    .filter(([, v]) => typeof v === 'string' && v.trim())
    .map(([k, v]) => `${k} "${String(v).trim()}"`);
  return `filter: ${parts.join(', ')}`;
}

/** The objects of a saved selection file for this object type, or the problem with it. Throws on a bad file. */
export function savedSelectionObjects(
  text: string,
  fileName: string,
  objectType: BulkObjectType,
): { objects: SelectedObject[]; label: string } | { problem: Problem } {
  const saved = parseSavedSelection(text);
  if (saved.objectType !== objectType) {
    return {
      problem: {
        title: 'Different object type.',
        message: `The file selects ${TYPE_LABEL[saved.objectType]}; this run is for ${TYPE_LABEL[objectType]}.`,
        fix: `Choose "${TYPE_LABEL[saved.objectType]}" above, or pick another selection file.`,
      },
    };
  }
  return {
    objects: saved.ids.map((id) => ({
      id,
      objectType: saved.objectType,
      displayName: null,
      mail: null,
      source: `saved selection ${fileName}`,
    })),
    label: `saved selection ${fileName}${saved.description ? ` (${saved.description})` : ''}`,
  };
}

/** The transfer runs in the journal that verified at least one object, newest first (read page by page). */
export async function transferRunsInJournal(bridge: BridgeCall): Promise<JournalRun[]> {
  const tally = new JournalRunTally();
  for await (const page of journalPages(bridge)) tally.add(page);
  return tally.runs().filter((x) => x.action === 'transfer' && x.done > 0);
}

/** The objects of this type that a run transferred and verified (the run's records only). */
export async function objectsOfRun(
  journal: JournalPort,
  runId: string,
  objectType: BulkObjectType,
): Promise<SelectedObject[]> {
  return transferredByRun(await journal.readRun(runId), runId).filter((o) => o.objectType === objectType);
}

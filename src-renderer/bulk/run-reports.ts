/** The reports of a finished bulk run: the HTML report and the CSV, saved in the reports folder by main. */
import type { AppInfo } from '@contract';
import type { SoaClient } from '../lib/bridge';
import { saveReportInParts } from '../lib/report-parts';
import { runCsv, runHtml, type Plan, type RunSummary, type SweepResult } from '../lib/soa/bulk';
import type { LevelSummary } from '../lib/soa/bulk/evidence-levels';
import type { Problem } from './bulk-labels';

export interface SavedRunReports {
  /** the CSV text (the view offers it as a download whether or not saving worked) */
  csv: string;
  htmlPath?: string;
  csvPath?: string;
  problem?: Problem;
}

/** Build both reports of `summary` and save them (in parts); a failed save is a problem, never a throw. */
export async function saveRunReports(
  client: SoaClient,
  summary: RunSummary,
  plan: Plan | undefined,
  info: Pick<AppInfo, 'tenant'>,
  levels: LevelSummary | undefined,
  sweep?: SweepResult,
): Promise<SavedRunReports> {
  const j = await client.call('journal.read', { runId: summary.runId, limit: 1 });
  const html = runHtml(summary, plan, {
    ...(info.tenant ? { tenant: info.tenant } : {}),
    ...(j.ok ? { journalPath: j.value.path } : {}),
    ...(levels ? { levels } : {}),
    ...(sweep ? { sweep } : {}),
  });
  const csv = runCsv(summary, levels);
  // in parts: a 50,000-object report is tens of megabytes (docs/architecture.md, "Saving large reports")
  const h = await saveReportInParts(client, `bulk-run-${summary.runId}`, 'html', [html]);
  const c = await saveReportInParts(client, `bulk-run-${summary.runId}`, 'csv', [csv]);
  return {
    csv,
    ...(h.ok ? { htmlPath: h.value.path } : {}),
    ...(c.ok ? { csvPath: c.value.path } : {}),
    ...(!h.ok || !c.ok
      ? {
          problem: {
            title: 'The report was not saved.',
            message: (!h.ok ? h.error.message : !c.ok ? c.error.message : '') ?? '',
            fix: 'Check the free space of the app data folder and save again; the CSV download link still works.',
          },
        }
      : {}),
  };
}

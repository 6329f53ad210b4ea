/**
 * Evidence reports and plan exports, saved atomically under `<dataDir>/reports/`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { OperationError } from '../ipc/errors';

export type ReportFormat = 'html' | 'json' | 'csv';

const NAME = /^[A-Za-z0-9._-]{1,120}$/;

export function reportsDir(dataDir: string): string {
  return path.join(dataDir, 'reports');
}

/** Write `<dataDir>/reports/<name>.<format>` atomically (temp file + fsync + rename). */
export async function saveReport(
  dataDir: string,
  name: string,
  format: ReportFormat,
  content: string,
): Promise<{ path: string }> {
  if (!NAME.test(name) || name.startsWith('.')) throw new OperationError('validation', 'Invalid report name.');
  const dir = reportsDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name.toLowerCase().endsWith(`.${format}`) ? name : `${name}.${format}`);
  if (path.dirname(file) !== dir) throw new OperationError('validation', 'Invalid report name.');
  await writeFileAtomic(file, content, { encoding: 'utf8', fsync: true, mode: 0o600 });
  return { path: file };
}

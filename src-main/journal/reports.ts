/**
 * Evidence reports and plan exports, saved under `<dataDir>/reports/`. A report is evidence, so a
 * save never replaces a file: each one is created exclusively (`wx`), and when the name is taken the
 * next free "<name>-2.<ext>", "<name>-3.<ext>", … is used (still a valid `report.open` file name).
 * The content is fsynced before the path is returned; a write that fails removes its own partial file.
 */
import { mkdirSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { OperationError } from '../ipc/errors';

export type ReportFormat = 'html' | 'json' | 'csv';

const NAME = /^[A-Za-z0-9._-]{1,120}$/;

/** How many numbered variants of one name are tried before the save gives up. */
const MAX_VARIANTS = 10_000;

export interface SaveReportOptions {
  /** Numbered variants tried before the save gives up (default 10,000). */
  maxVariants?: number;
  /** Creates a file exclusively (`wx`); tests pass one whose open or write fails. */
  openExclusive?: (file: string) => Promise<Pick<FileHandle, 'writeFile' | 'sync' | 'close'>>;
}

export function reportsDir(dataDir: string): string {
  return path.join(dataDir, 'reports');
}

/** `<name>.<format>`, then `<name>-2.<format>`, `<name>-3.<format>`, … (the stem stays within 120 characters). */
function candidate(base: string, format: ReportFormat, n: number): string {
  if (n === 1) return `${base}.${format}`;
  const suffix = `-${n}`;
  return `${base.slice(0, 120 - suffix.length)}${suffix}.${format}`;
}

/**
 * The report name `name` asks for, its folder, and a way to walk its numbered variants: `claim(file)` creates
 * one exclusively and returns false when that name is taken; the first name claimed is returned. At most
 * `maxVariants` names are tried.
 */
export async function claimReportName(
  dataDir: string,
  name: string,
  format: ReportFormat,
  claim: (file: string) => Promise<boolean>,
  maxVariants = MAX_VARIANTS,
): Promise<string> {
  const dir = checkedReportsDir(dataDir, name);
  const base = name.toLowerCase().endsWith(`.${format}`) ? name.slice(0, -(format.length + 1)) : name;
  for (let n = 1; n <= maxVariants; n++) {
    const file = path.join(dir, candidate(base, format, n));
    if (path.dirname(file) !== dir) throw new OperationError('validation', 'Invalid report name.');
    if (await claim(file)) return file;
  }
  throw new OperationError(
    'conflict',
    `There are already ${maxVariants} reports named "${base}" in ${dir}; move some of them elsewhere and save again.`,
  );
}

/** `<dataDir>/reports` (created) for a valid report name; a name outside the pattern is refused. */
export function checkedReportsDir(dataDir: string, name: string): string {
  if (!NAME.test(name) || name.startsWith('.')) throw new OperationError('validation', 'Invalid report name.');
  const dir = reportsDir(dataDir);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Create `<dataDir>/reports/<name>.<format>` (or the next free numbered name) and fsync it. */
export async function saveReport(
  dataDir: string,
  name: string,
  format: ReportFormat,
  content: string,
  options: SaveReportOptions = {},
): Promise<{ path: string }> {
  const openExclusive = options.openExclusive ?? ((file: string) => open(file, 'wx', 0o600));
  const file = await claimReportName(
    dataDir,
    name,
    format,
    async (candidateFile) => {
      let handle;
      try {
        handle = await openExclusive(candidateFile);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
      }
      try {
        await handle.writeFile(content, 'utf8');
        await handle.sync();
        await handle.close();
      } catch (e) {
        await handle.close().catch(() => undefined);
        await unlink(candidateFile).catch(() => undefined);
        throw e;
      }
      return true;
    },
    options.maxVariants,
  );
  return { path: file };
}

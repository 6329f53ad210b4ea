/**
 * Registers `report.open` and `report.saveAs` for the reports `report.save` wrote under
 * `<dataDir>/reports/`. The desktop app opens a report with the system viewer (`shell.openPath`)
 * and saves a copy through a save dialog; browser mode cannot reach the file system of the page's
 * machine, so it answers with a URL the bridge serves only to the holder of the session token.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../ipc/errors';
import type { ServiceFactory, ServiceModule } from '../service-module';
import { reportsDir } from './reports';

const FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}\.(html|json|csv)$/;

/** The saved report's path, or a typed error when the name is bad or the file is gone. */
export function reportFilePath(dataDir: string, file: string): string {
  const dir = reportsDir(dataDir);
  const full = path.join(dir, file);
  if (!FILE.test(file) || path.dirname(full) !== dir) throw new OperationError('validation', 'Invalid report name.');
  if (!existsSync(full)) {
    throw new OperationError('notFound', `The report ${file} is not in ${dir} any more. Save the report again.`);
  }
  return full;
}

export const reportFilesModule: ServiceFactory = ({ config }): ServiceModule => ({
  handlers: {
    'report.open': async ({ file }) => {
      const full = reportFilePath(config.dataDir, file);
      if (config.reportFiles?.openPath) {
        const problem = await config.reportFiles.openPath(full);
        if (problem) throw new OperationError('unavailable', `The system could not open the report: ${problem}`);
        return { opened: true, url: null };
      }
      if (config.reportFiles?.url) return { opened: false, url: config.reportFiles.url(file, 'inline') };
      throw new OperationError('unavailable', `Open ${full} yourself; this transport cannot open files.`);
    },
    'report.saveAs': async ({ file }) => {
      const full = reportFilePath(config.dataDir, file);
      if (config.reportFiles?.saveCopy) return { savedTo: await config.reportFiles.saveCopy(full, file), url: null };
      if (config.reportFiles?.url) return { savedTo: null, url: config.reportFiles.url(file, 'attachment') };
      throw new OperationError('unavailable', `Copy ${full} yourself; this transport cannot save files.`);
    },
  },
});

/**
 * Registers `journal.append`, `journal.appendMany`, `journal.pending`, `journal.read`, `report.save` and the
 * report saved in parts (`report.saveBegin`, `report.savePart`, `report.saveEnd`, `report.saveAbort`).
 * The journal file follows the configured tenant (`settings.get().tenant`).
 */
import type { ServiceFactory, ServiceModule } from '../service-module';
import { Journal } from './journal';
import { ReportUploads } from './report-uploads';
import { saveReport } from './reports';

export const journalModule: ServiceFactory = ({ config, settings }): ServiceModule => {
  const journals = new Map<string, Journal>();
  const uploads = new ReportUploads(config.dataDir);
  const journalFor = (): Journal => {
    const tenant = settings.get().tenant;
    let j = journals.get(tenant);
    if (!j) {
      j = new Journal(config.dataDir, tenant);
      journals.set(tenant, j);
    }
    return j;
  };
  return {
    handlers: {
      'journal.append': ({ record }) => journalFor().append(record),
      'journal.appendMany': ({ records }) => journalFor().appendAccepted(records),
      'journal.pending': async () => ({ pending: await journalFor().pending() }),
      'journal.read': async ({ runId, limit, afterSeq }) => {
        const j = journalFor();
        const { records } = await j.read({ runId, limit, ...(afterSeq !== undefined ? { afterSeq } : {}) });
        return { records, path: j.path };
      },
      'report.save': ({ name, format, content }) => saveReport(config.dataDir, name, format, content),
      'report.saveBegin': ({ name, format }) => uploads.begin(name, format),
      'report.savePart': ({ uploadId, part, content }) => uploads.part(uploadId, part, content),
      'report.saveEnd': ({ uploadId, parts, chars }) => uploads.end(uploadId, parts, chars),
      'report.saveAbort': ({ uploadId }) => uploads.abort(uploadId),
    },
    async dispose() {
      await uploads.dispose();
      for (const j of journals.values()) await j.close();
      journals.clear();
    },
  };
};

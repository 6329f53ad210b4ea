/**
 * Registers `journal.append`, `journal.appendMany`, `journal.pending`, `journal.read` and `report.save`.
 * The journal file follows the configured tenant (`settings.get().tenant`).
 */
import type { ServiceFactory, ServiceModule } from '../service-module';
import { Journal } from './journal';
import { saveReport } from './reports';

export const journalModule: ServiceFactory = ({ config, settings }): ServiceModule => {
  const journals = new Map<string, Journal>();
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
    },
    async dispose() {
      for (const j of journals.values()) await j.close();
      journals.clear();
    },
  };
};

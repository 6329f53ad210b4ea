/** Bulk SOA flows: selection, CSV import, dry-run plan, the $batch pipeline, rollback sources, reports. */
export * from './ports';
export * from './object-types';
export * from './pacer';
export * from './pipeline';
export * from './plan';
export * from './selection';
export * from './csv-import';
export * from './batch-reads';
export * from './rollback';
export * from './report';
export { createSessionGraphBatchPort, type SessionGraphBatchPortOptions } from './session-graph-batch-port';
export { createIpcJournalPort, createIpcServerPort, journalPages, JOURNAL_PAGE, type BridgeCall } from './bridge-ports';
export * from './reverify';
export * from './server-follow-up';
export * from './evidence-levels';
export * from './audit-confirmation';
export * from './run-journal';

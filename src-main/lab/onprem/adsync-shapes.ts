/**
 * Builders of the ADSync cmdlet objects the lab's Connect Sync engine (sync-engine.ts) returns whole: an attribute
 * entry of a connector-space or metaverse object, and a RunStepResult with every member of the real type.
 */
import { iso } from './context.js';
import { guidFromName } from './guids.js';
import type { JoinState, RunState } from './state.js';

/** The attribute entries of one object view: all from one sync rule and connector, last modified at `modified`. */
export function attrFactory(connectorName: string, ruleName: string, lineageId: string, modified: number) {
  return (
    name: string,
    type: 'String' | 'Boolean' | 'Binary' | 'Reference' | 'Integer',
    value: string | null | string[],
    multi = false,
  ) => ({
    Name: name,
    Type: type,
    IsMultiValued: multi,
    SyncRuleName: ruleName,
    ConnectorName: connectorName,
    LineageId: lineageId,
    LastModificationTime: iso(modified),
    Values: value === null ? [] : Array.isArray(value) ? [...value] : [value],
  });
}

/** The imported AD attributes both the connector-space and the metaverse views list, in this order. */
export function importedAttributes(attr: ReturnType<typeof attrFactory>, im: JoinState['imported']) {
  return [
    attr('displayName', 'String', im.displayName),
    attr('mail', 'String', im.mail),
    attr('description', 'String', im.description),
    attr('givenName', 'String', im.givenName),
    attr('sn', 'String', im.sn),
    attr('company', 'String', im.company),
    attr('department', 'String', im.department),
  ];
}

const STEP_COUNTERS = [
  'StageNoChange',
  'StageRename',
  'StageDeleteAdd',
  'StageFailure',
  'DisconnectorFiltered',
  'DisconnectorJoinedNoFlow',
  'DisconnectorJoinedFlow',
  'DisconnectorJoinedRemoveMv',
  'DisconnectorProjectedNoFlow',
  'DisconnectorProjectedFlow',
  'DisconnectorProjectedRemoveMv',
  'DisconnectorRemains',
  'ConnectorFilteredRemoveMv',
  'ConnectorFilteredLeaveMv',
  'ConnectorFlow',
  'ConnectorFlowRemoveMv',
  'ConnectorNoFlow',
  'ConnectorDeleteRemoveMv',
  'ConnectorDeleteLeaveMv',
  'ConnectorDeleteAddProcessed',
  'FlowFailure',
  'ExportRename',
  'ExportDelete',
  'ExportDeleteAdd',
  'CurrentExportBatchNumber',
  'LastSuccessfulExportBatchNumber',
] as const;

/** One RunStepResult with every member of the real type (test/powershell/adsync-types/RunStepResult.json). */
export function runStepView(r: RunState): Record<string, unknown> {
  const zero = Object.fromEntries(STEP_COUNTERS.map((k) => [k, 0]));
  return {
    RunHistoryId: r.RunHistoryId,
    StepHistoryId: guidFromName(`step:${r.RunHistoryId}:1`),
    StepNumber: r.step.StepNumber,
    StepResult: r.step.StepResult,
    StartDate: iso(r.StartDate),
    EndDate: iso(r.EndDate),
    ...zero,
    StageAdd: r.step.StageAdd,
    StageUpdate: r.step.StageUpdate,
    StageDelete: r.step.StageDelete,
    ExportAdd: r.step.ExportAdd,
    ExportUpdate: r.step.ExportUpdate,
    ExportFailure: r.step.ExportFailure,
    StepFileName: null,
    ConnectorConnectionInformationXml: null,
    ConnectorDiscoveryErrors: null,
    ConnectorCountersXml: null,
    SyncErrors: null,
    StepXml: null,
    MvRetryErrors: null,
    FlowCountersXml: null,
  };
}

/**
 * Per-operation fixtures for the IPC contract: for every operation, inputs and outputs (and progress events)
 * that must pass unchanged, and the ones each rule of the schema must refuse (every bound just outside and at
 * its edge, every enum value, every discriminator). The router validates both directions with these schemas,
 * so a loosened or tightened rule changes what crosses the boundary; each case here fails when a rule changes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CHANNEL_PREFIX,
  DEFAULT_MAX_BODY_BYTES,
  EVENT_CHANNEL,
  checkResult,
  contract,
  errorCode,
  ipcError,
  maxBodyBytes,
  methodName,
  nationalClouds,
  operationNames,
  progressEvent,
  type OperationName,
} from '../../../../src-main/ipc/contract';

const UUID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const AT = '2026-12-01T10:00:00.000Z';
const AT_OFFSET = '2026-12-01T11:00:00+01:00';
const DN = 'CN=Ada,OU=Contacts,DC=contoso,DC=com';
const s = (n: number, c = 'x'): string => c.repeat(n);
const many = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);
/** `o` without `key`: a required field left out (everything else as in a good value). */
const omit = <T extends object>(o: T, key: keyof T): Partial<T> => {
  const copy: Partial<T> = { ...o };
  delete copy[key];
  return copy;
};

/** A value that must parse and come back unchanged, or `withDefaults(value, expected)` when defaults fill it in. */
type Good = unknown;
const withDefaults = (value: unknown, expected: unknown) => ({ __defaults: true, value, expected });
function unpack(g: Good): { value: unknown; expected: unknown } {
  if (typeof g === 'object' && g !== null && '__defaults' in g) {
    const d = g as unknown as { value: unknown; expected: unknown };
    return { value: d.value, expected: d.expected };
  }
  return { value: g, expected: g };
}

interface Fixtures {
  input: { good: Good[]; bad: unknown[] };
  output: { good: Good[]; bad: unknown[] };
  progress?: { good: Good[]; bad: unknown[] };
}

// ---- shared fixture values ------------------------------------------------------------------

const settings = {
  tenant: 'contoso.onmicrosoft.com',
  clientId: UUID,
  authorityHost: 'https://login.microsoftonline.com',
  graphEndpoint: 'https://graph.microsoft.com',
  customCloud: false,
  event6956Provider: '',
  auditPollMinutes: 30,
};
const account = {
  username: 'admin@contoso.com',
  name: 'Admin',
  tenantId: 'tid',
  homeAccountId: 'home',
  localAccountId: 'local',
};
const check = {
  id: 'ps',
  title: 'PowerShell',
  status: 'pass',
  observed: '5.1',
  expected: '5.1 or later',
  message: 'ok',
  fix: 'none',
};
/** Good values that the bad cases of their operation vary one field at a time. */
const appInfo = {
  name: 'soa-pilot',
  version: '1',
  transport: 'browser',
  platform: 'l',
  graphBaseUrl: 'https://g',
  graphCustomHosts: [],
  lab: false,
  dataDir: '/',
};
const environment = {
  psEdition: 'Core',
  psVersion: '7',
  adSyncModule: false,
  connectSyncVersion: null,
  cloudSyncAgentVersion: null,
  services: [],
  stagingMode: null,
  checks: [],
};
const scheduler = {
  syncCycleEnabled: true,
  stagingModeEnabled: false,
  syncCycleInProgress: true,
  schedulerSuspended: false,
  maintenanceEnabled: true,
  nextSyncCyclePolicyType: 'Delta',
  nextSyncCycleStartTimeInUTC: null,
  currentlyEffectiveSyncCycleInterval: '00:30:00',
};
/** The input of both interactive sign-ins (the admin's and the proof admin's). */
const signInInput = {
  good: [
    { operationId: UUID, scopes: ['User.Read'], loginHint: s(256) },
    { operationId: UUID, scopes: ['a'] },
  ],
  bad: [
    { scopes: ['a'] },
    { operationId: UUID, scopes: ['a'], loginHint: s(257) },
    { operationId: UUID, scopes: [] },
    { operationId: UUID, scopes: ['a'], extra: true },
    { operationId: UUID, scopes: ['a'], proofSessionId: UUID },
  ],
};
const run = {
  runHistoryId: 'r1',
  connectorName: 'contoso.com',
  runProfileName: 'Delta Import',
  result: 'success',
  startDate: AT,
  endDate: null,
};
const cycle = { t0: AT, finishedAt: AT_OFFSET, runs: [run, { ...run, endDate: AT }], allSucceeded: true };
const csObject = {
  connectorName: 'contoso.com',
  distinguishedName: DN,
  objectId: 'cs1',
  hasExportError: false,
  hasSyncError: true,
  attributes: { mail: ['ada@contoso.com'], proxyAddresses: ['SMTP:ada@contoso.com', 'smtp:a@contoso.com'] },
};
const adConnector = { name: 'contoso.com', via: 'partition', partition: 'DC=contoso,DC=com' };
const exportEvidence = {
  awaiting: true,
  source: 'runHistory',
  detail: 'Export run 7 exported 1',
  exportRun: { runHistoryId: 'r7', runNumber: 7, result: 'success', startDate: AT, exported: 1 },
  pendingExports: 0,
};
const traced = {
  status: 'traced',
  dn: DN,
  adConnector,
  adObject: csObject,
  metaverseObjectId: 'mv1',
  entraObject: csObject,
  blockOnPremisesSync: true,
  cloudAnchor: 'User_1',
  cloudMastered: false,
  awaitingExportConfirmation: null,
  exportEvidence,
  message: 'traced',
};
const notJoined = { status: 'notJoined', dn: DN, adConnector, adObject: csObject, message: 'not joined' };
const unknownDn = {
  status: 'unknownDn',
  dn: DN,
  adConnector: { name: null, via: 'allConnectors', partition: null },
  message: 'no such DN',
};
const contact = {
  distinguishedName: DN,
  objectGuid: 'g1',
  displayName: 'Ada',
  mail: null,
  description: 'External',
};
const event = {
  time: AT,
  recordId: 42,
  provider: 'ADSync',
  dn: DN,
  dnSource: 'eventData',
  message: 'blocked',
};
const intent = {
  kind: 'intent',
  opId: 'op-1',
  runId: 'run-1',
  objectType: 'contact',
  objectId: 'obj-1',
  displayName: 'Ada',
  action: 'transfer',
  before: { isCloudManaged: false },
  request: { method: 'PATCH', url: '/contacts/obj-1/onPremisesSyncBehavior', body: { isCloudManaged: true } },
};
const result = {
  kind: 'result',
  opId: 'op-1',
  outcome: 'done',
  verified: true,
  requestId: 'req-1',
  status: 204,
  after: { isCloudManaged: true },
  reason: 'read back',
};
const stored = (r: object, seq = 1) => ({ ...r, seq, at: AT, tenant: 'contoso' });
const evidence = {
  id: 'transfer',
  title: 'Transfer',
  purpose: 'Set isCloudManaged',
  startedAt: AT,
  finishedAt: AT,
  requests: [
    {
      kind: 'graph',
      label: 'PATCH',
      body: { isCloudManaged: true },
      at: AT,
      status: 204,
      requestId: 'req-1',
      response: null,
      attempts: [{ status: 429 }],
    },
    { kind: 'powershell', label: 'Get-ADSyncScheduler', at: AT, status: 'ok', requestId: null },
    { kind: 'journal', label: 'intent', at: AT },
  ],
  expected: 'true',
  observed: 'true',
  verdict: 'pass',
  notes: ['note'],
};
const snapshot = {
  runId: UUID,
  kind: 'transfer',
  startedAt: AT,
  index: 3,
  visited: 4,
  stepId: 'transfer',
  stepTitle: 'Transfer',
  object: { type: 'contact', id: 'obj-1', displayName: 'Ada', mail: 'ada@contoso.com', dn: DN },
  evidence: [evidence],
  opIds: ['op-1'],
  auditSince: AT,
  adProbe: { attribute: 'department', oldDescription: null, newDescription: 'probe', since: AT },
};

const maxName = `a${s(119, 'b')}`;

// ---- the fixtures, one entry per operation (the type makes a new operation need its own) -----

const fixtures: Record<OperationName, Fixtures> = {
  'app.info': {
    input: { good: [{}], bad: [{ x: 1 }, null, 'x'] },
    output: {
      good: [
        {
          name: 'soa-pilot',
          version: '1.2.3',
          transport: 'electron',
          platform: 'win32',
          graphBaseUrl: 'https://graph.microsoft.com',
          graphCustomHosts: ['lab.local:8443'],
          lab: true,
          tenant: 'contoso',
          dataDir: '/data',
        },
        {
          name: 'soa-pilot',
          version: '1',
          transport: 'browser',
          platform: 'linux',
          graphBaseUrl: 'https://127.0.0.1:9443',
          graphCustomHosts: [],
          lab: false,
          dataDir: '/d',
        },
        appInfo,
      ],
      bad: [
        { ...appInfo, name: 'other' },
        { ...appInfo, transport: 'web' },
        { ...appInfo, graphBaseUrl: 'not a url' },
        { ...appInfo, graphCustomHosts: [1] },
        omit(appInfo, 'dataDir'),
      ],
    },
  },
  'app.cancel': {
    input: { good: [{ operationId: UUID }], bad: [{}, { operationId: 'op-1' }, { operationId: UUID, x: 1 }] },
    output: { good: [{ cancelled: true }, { cancelled: false }], bad: [{}, { cancelled: 'no' }] },
  },
  'app.ping': {
    input: {
      good: [{ message: 'hi' }, { message: s(1000) }, { message: '' }],
      bad: [{ message: s(1001) }, { message: 1 }, {}],
    },
    output: {
      good: [
        { echo: 'hi', at: AT },
        { echo: '', at: AT_OFFSET },
      ],
      bad: [{ echo: 'hi', at: 'now' }, { at: AT }],
    },
  },
  'settings.get': {
    input: { good: [{}], bad: [{ tenant: 'x' }] },
    output: {
      good: [
        settings,
        { ...settings, tenant: 'x', event6956Provider: s(256), auditPollMinutes: 1, customCloud: true },
        { ...settings, tenant: s(256), auditPollMinutes: 240 },
      ],
      bad: [
        { ...settings, tenant: '' },
        { ...settings, tenant: s(257) },
        { ...settings, clientId: 'client' },
        { ...settings, authorityHost: 'http://login.microsoftonline.com' },
        { ...settings, authorityHost: 'login.microsoftonline.com' },
        { ...settings, graphEndpoint: 'http://graph.microsoft.com' },
        { ...settings, graphEndpoint: 'graph' },
        { ...settings, customCloud: 'no' },
        { ...settings, event6956Provider: s(257) },
        { ...settings, auditPollMinutes: 0 },
        { ...settings, auditPollMinutes: 241 },
        { ...settings, auditPollMinutes: 1.5 },
      ],
    },
  },
  'settings.set': {
    input: {
      good: [{}, { tenant: 'contoso' }, { auditPollMinutes: 5, customCloud: true }, settings],
      bad: [{ unknown: 1 }, { auditPollMinutes: 0 }, { tenant: '' }, { graphEndpoint: 'http://g.example' }],
    },
    output: { good: [settings], bad: [{ ...settings, auditPollMinutes: 500 }, {}] },
  },
  'settings.consentUrl': {
    input: {
      good: [{ scopes: ['User.Read'] }, { scopes: many(20, 'a') }, { scopes: [s(200)] }, { scopes: ['a', 'b'] }],
      bad: [
        { scopes: [] },
        { scopes: many(21, 'a') },
        { scopes: [''] },
        { scopes: [s(201)] },
        {},
        { scopes: ['a'], x: 1 },
      ],
    },
    output: { good: [{ url: 'https://login.microsoftonline.com/adminconsent' }], bad: [{ url: 'consent' }, {}] },
  },
  'auth.status': {
    input: { good: [{}], bad: [{ x: 1 }] },
    output: {
      good: [
        { signedIn: true, account, cache: { persistence: 'dpapi', message: 'DPAPI' } },
        { signedIn: false, cache: { persistence: 'keychain', message: 'k' } },
        { signedIn: false, cache: { persistence: 'libsecret', message: 'l' } },
        { signedIn: false, account: { ...account, name: undefined }, cache: { persistence: 'memory', message: 'm' } },
      ],
      bad: [
        { signedIn: false, cache: { persistence: 'disk', message: 'm' } },
        { signedIn: false },
        { signedIn: false, cache: { persistence: 'memory' } },
        { signedIn: true, account: { username: 'u' }, cache: { persistence: 'memory', message: 'm' } },
      ],
    },
  },
  'auth.signInInteractive': {
    input: signInInput,
    output: {
      good: [account],
      bad: [
        { ...account, tenantId: undefined },
        { ...account, homeAccountId: 1 },
      ],
    },
    progress: {
      good: [{ signInUrl: 'https://login.microsoftonline.com/authorize?x=1' }],
      bad: [{ signInUrl: 'authorize' }, {}],
    },
  },
  'auth.signInDeviceCode': {
    input: {
      good: [{ operationId: UUID, scopes: ['a'] }],
      bad: [{ operationId: UUID, scopes: ['a'], loginHint: 'x' }, { scopes: ['a'] }],
    },
    output: {
      good: [account],
      bad: [
        { ...account, localAccountId: undefined },
        { ...account, username: undefined },
      ],
    },
    progress: {
      good: [{ userCode: 'ABC', verificationUri: 'https://microsoft.com/devicelogin', message: 'go', expiresIn: 900 }],
      bad: [
        { userCode: 'ABC', verificationUri: 'u', message: 'go', expiresIn: '900' },
        { userCode: 'ABC', verificationUri: 'u', expiresIn: 900 },
      ],
    },
  },
  'auth.getAccessToken': {
    input: {
      good: [{ scopes: ['a'], forceRefresh: true }, { scopes: ['a'] }],
      bad: [{ scopes: ['a'], forceRefresh: 'yes' }, { scopes: [] }, { scopes: ['a'], refreshToken: true }],
    },
    output: {
      good: [{ accessToken: 't', expiresOn: AT, scopes: ['a', 'b'] }],
      bad: [
        { accessToken: 't', expiresOn: 'later', scopes: [] },
        { accessToken: 't', expiresOn: AT, scopes: [1] },
        { expiresOn: AT, scopes: [] },
      ],
    },
  },
  'auth.signOut': {
    input: { good: [{}], bad: [{ all: true }] },
    output: { good: [{ signedOut: true }], bad: [{ signedOut: 1 }] },
  },
  'auth.proofAdminSignIn': {
    input: signInInput,
    output: {
      good: [{ proofSessionId: UUID, account, expiresAt: AT }],
      bad: [
        { proofSessionId: 'p1', account, expiresAt: AT },
        { proofSessionId: UUID, account, expiresAt: 'soon' },
        { proofSessionId: UUID, expiresAt: AT },
      ],
    },
    progress: { good: [{ signInUrl: 'https://login.microsoftonline.com/authorize' }], bad: [{ signInUrl: 'x' }] },
  },
  'auth.proofAdminToken': {
    input: {
      good: [{ proofSessionId: UUID, scopes: ['User.Read'] }],
      bad: [
        { proofSessionId: 'p1', scopes: ['a'] },
        { proofSessionId: UUID, scopes: [] },
        { proofSessionId: UUID },
        { proofSessionId: UUID, scopes: ['a'], forceRefresh: true },
      ],
    },
    output: {
      good: [{ accessToken: 't', expiresOn: AT, scopes: ['a'] }],
      bad: [{ accessToken: 't', expiresOn: 'x', scopes: [] }],
    },
  },
  'auth.proofAdminEnd': {
    input: { good: [{ proofSessionId: UUID }], bad: [{ proofSessionId: 'p1' }, {}, { proofSessionId: UUID, x: 1 }] },
    output: { good: [{ ended: true }, { ended: false }], bad: [{ ended: 'yes' }, {}] },
  },
  'server.environment': {
    input: { good: [{}], bad: [{ x: 1 }] },
    output: {
      good: [
        {
          psEdition: 'Desktop',
          psVersion: '5.1',
          adSyncModule: true,
          connectSyncVersion: '2.4.21.0',
          cloudSyncAgentVersion: null,
          services: [
            { name: 'ADSync', status: 'Running' },
            { name: 'AADConnectProvisioningAgent', status: null },
          ],
          stagingMode: null,
          checks: [
            check,
            { id: 'x', title: 't', status: 'warn', message: 'm' },
            { ...check, status: 'fail' },
            { ...check, status: 'notChecked' },
          ],
        },
        {
          psEdition: 'Core',
          psVersion: '7.4',
          adSyncModule: false,
          connectSyncVersion: null,
          cloudSyncAgentVersion: '1.1.0',
          services: [],
          stagingMode: false,
          checks: [],
        },
        environment,
      ],
      bad: [
        { ...environment, checks: [{ ...check, status: 'ok' }] },
        { ...environment, services: [{ name: 'ADSync' }] },
        omit(environment, 'stagingMode'),
        omit(environment, 'cloudSyncAgentVersion'),
      ],
    },
  },
  'server.scheduler': {
    input: { good: [{}], bad: [{ x: 1 }] },
    output: {
      good: [scheduler],
      bad: [
        omit(scheduler, 'currentlyEffectiveSyncCycleInterval'),
        { ...scheduler, syncCycleInProgress: 'yes', currentlyEffectiveSyncCycleInterval: null },
      ],
    },
  },
  'server.adConnectors': {
    input: { good: [{}], bad: [{ x: 1 }] },
    output: {
      good: [
        { available: true, connectors: [{ name: 'contoso.com', partitions: ['DC=contoso,DC=com'] }], message: null },
        { available: false, connectors: [], message: 'no ADSync module' },
      ],
      bad: [
        { available: true, connectors: [{ name: 'c' }], message: null },
        { available: true, connectors: [] },
      ],
    },
  },
  'server.startSyncCycle': {
    input: {
      good: [{ policyType: 'Delta' }, { policyType: 'Initial' }],
      bad: [{ policyType: 'Full' }, {}, { policyType: 'Delta', x: 1 }],
    },
    output: {
      good: [
        { status: 'started', startedAt: AT, result: 'Success' },
        { status: 'busy', message: 'busy', retryAfterSeconds: 60 },
        { status: 'stagingMode', message: 'staging' },
      ],
      bad: [
        { status: 'other', message: 'm' },
        { status: 'started', startedAt: 'now', result: 'Success' },
        { status: 'busy', message: 'busy' },
        { status: 'stagingMode' },
      ],
    },
  },
  'server.runSyncCycle': {
    input: {
      good: [
        withDefaults(
          { operationId: UUID, policyType: 'Delta' },
          { operationId: UUID, policyType: 'Delta', timeoutSeconds: 1800, waitIfBusy: true },
        ),
        { operationId: UUID, policyType: 'Initial', timeoutSeconds: 5, waitIfBusy: false },
        { operationId: UUID, policyType: 'Delta', timeoutSeconds: 7200, waitIfBusy: true },
      ],
      bad: [
        { operationId: UUID, policyType: 'Delta', timeoutSeconds: 4 },
        { operationId: UUID, policyType: 'Delta', timeoutSeconds: 7201 },
        { operationId: UUID, policyType: 'Delta', timeoutSeconds: 60.5 },
        { operationId: UUID, policyType: 'Delta', waitIfBusy: 'yes' },
        { policyType: 'Delta' },
      ],
    },
    output: {
      good: [
        { status: 'completed', cycle },
        { status: 'busy', message: 'busy', retryAfterSeconds: 30 },
        { status: 'stagingMode', message: 'staging' },
      ],
      bad: [
        { status: 'completed', cycle: { ...cycle, allSucceeded: undefined } },
        { status: 'completed', cycle: { ...cycle, runs: [{ ...run, startDate: 'x' }] } },
        { status: 'completed', cycle: { ...cycle, runs: [{ ...run, endDate: undefined }] } },
        { status: 'busy', message: 'busy' },
        { status: 'done', message: 'm' },
      ],
    },
    progress: {
      good: [
        { phase: 'starting', elapsedMs: 0, connector: null, message: 'm' },
        { phase: 'waitingForBusy', elapsedMs: 1, connector: null, message: 'm' },
        { phase: 'running', elapsedMs: 2, connector: 'contoso.com', message: 'm' },
        { phase: 'collecting', elapsedMs: 3, connector: null, message: 'm' },
      ],
      bad: [
        { phase: 'other', elapsedMs: 0, connector: null, message: 'm' },
        { phase: 'running', elapsedMs: 0, message: 'm' },
      ],
    },
  },
  'server.waitForSyncCycle': {
    input: {
      good: [
        withDefaults({ operationId: UUID, t0: AT }, { operationId: UUID, t0: AT, timeoutSeconds: 1800 }),
        { operationId: UUID, t0: AT_OFFSET, timeoutSeconds: 5 },
        { operationId: UUID, t0: AT, timeoutSeconds: 7200 },
      ],
      bad: [
        { operationId: UUID, t0: AT, timeoutSeconds: 4 },
        { operationId: UUID, t0: AT, timeoutSeconds: 7201 },
        { operationId: UUID, t0: 'now' },
        { operationId: UUID, t0: AT, policyType: 'Delta' },
      ],
    },
    output: {
      good: [cycle],
      bad: [
        { ...cycle, t0: 'then' },
        { ...cycle, finishedAt: undefined },
      ],
    },
    progress: {
      good: [{ phase: 'collecting', elapsedMs: 9, connector: null, message: 'done' }],
      bad: [{ phase: 'collecting' }],
    },
  },
  'server.traceObject': {
    input: {
      good: [{ dn: DN }, { dn: 'a=b', since: AT }, { dn: s(2048) }],
      bad: [{ dn: 'ab' }, { dn: s(2049) }, { dn: DN, since: 'yesterday' }, {}, { dn: DN, x: 1 }],
    },
    output: {
      good: [
        traced,
        notJoined,
        unknownDn,
        {
          ...traced,
          entraObject: null,
          blockOnPremisesSync: null,
          cloudAnchor: null,
          cloudMastered: null,
          awaitingExportConfirmation: false,
          exportEvidence: {
            awaiting: null,
            source: 'notObservable',
            detail: 'd',
            exportRun: null,
            pendingExports: null,
          },
        },
        { ...traced, exportEvidence: { ...exportEvidence, source: 'csObject', awaiting: false } },
      ],
      bad: [
        { ...traced, status: 'joined' },
        { ...traced, exportEvidence: { ...exportEvidence, source: 'guess' } },
        { ...traced, exportEvidence: { ...exportEvidence, exportRun: { runHistoryId: 'r' } } },
        { ...traced, exportEvidence: { ...exportEvidence, pendingExports: undefined } },
        { ...traced, metaverseObjectId: undefined },
        { ...traced, adConnector: { ...adConnector, via: 'guess' } },
        { ...traced, adObject: { ...csObject, attributes: { mail: 'ada@contoso.com' } } },
        { ...traced, adObject: { ...csObject, hasExportError: undefined } },
        { ...notJoined, adObject: undefined },
        { ...unknownDn, message: undefined },
        { ...unknownDn, adConnector: { name: null, via: 'allConnectors' } },
      ],
    },
  },
  'server.traceObjects': {
    input: {
      good: [{ dns: [DN] }, { dns: many(2000, DN), since: AT }],
      bad: [{ dns: [] }, { dns: many(2001, DN) }, { dns: ['ab'] }, { dn: DN }],
    },
    output: {
      good: [{ traces: [traced, notJoined, unknownDn], failures: [{ dn: DN, message: 'PowerShell failed' }] }],
      bad: [{ traces: [] }, { traces: [], failures: [{ dn: DN }] }, { traces: [{ status: 'x' }], failures: [] }],
    },
  },
  'server.findOnPremContact': {
    input: {
      good: [{}, { mail: s(320), displayName: s(256), dn: DN }],
      bad: [{ mail: s(321) }, { displayName: s(257) }, { dn: 'ab' }, { upn: 'x' }],
    },
    output: {
      good: [
        {
          matches: [contact, { ...contact, displayName: null, mail: 'ada@contoso.com', description: null }],
          via: 'activeDirectory',
        },
        { matches: [], via: 'connectorSpace' },
      ],
      bad: [
        { matches: [], via: 'metaverse' },
        { matches: [{ ...contact, objectGuid: undefined }], via: 'activeDirectory' },
      ],
    },
  },
  'server.findOnPremContacts': {
    input: {
      good: [
        { queries: [{ key: 'k', mail: 'ada@contoso.com', displayName: 'Ada' }] },
        { queries: [{ key: s(128), mail: s(320), displayName: s(256) }] },
        { queries: many(5000, { key: 'k' }) },
      ],
      bad: [
        { queries: [] },
        { queries: many(5001, { key: 'k' }) },
        { queries: [{ key: '' }] },
        { queries: [{ key: s(129) }] },
        { queries: [{ key: 'k', mail: s(321) }] },
        { queries: [{ key: 'k', displayName: s(257) }] },
        { queries: [{ key: 'k', dn: DN }] },
      ],
    },
    output: {
      good: [
        {
          results: [
            { key: 'k', matches: [contact] },
            { key: 'j', matches: [] },
          ],
          via: 'activeDirectory',
        },
      ],
      bad: [
        { results: [], via: 'connectorSpace' },
        { results: [{ key: 'k' }], via: 'activeDirectory' },
      ],
    },
  },
  'server.events6956': {
    input: {
      good: [
        withDefaults({ since: AT }, { since: AT, maxEvents: 500 }),
        { since: AT_OFFSET, dn: DN, dns: [DN, 'a=b'], maxEvents: 1 },
        { since: AT, dns: many(5000, DN), maxEvents: 5000 },
      ],
      bad: [
        { since: AT, maxEvents: 0 },
        { since: AT, maxEvents: 5001 },
        { since: AT, maxEvents: 2.5 },
        { since: AT, dns: many(5001, DN) },
        { since: AT, dns: ['ab'] },
        { since: AT, dn: 'ab' },
        { since: 'then' },
        { since: AT, provider: 'x' },
      ],
    },
    output: {
      good: [
        {
          events: [event, { ...event, dn: null, dnSource: null }, { ...event, dnSource: 'message', time: AT_OFFSET }],
          provider: null,
        },
        { events: [], provider: 'ADSync' },
      ],
      bad: [
        { events: [{ ...event, dnSource: 'guess' }], provider: null },
        { events: [{ ...event, time: 'now' }], provider: null },
        { events: [{ ...event, recordId: '42' }], provider: null },
        { events: [] },
      ],
    },
  },
  'server.touchOnPremObject': {
    input: {
      good: [
        { dn: DN, confirm: true, description: 'probe' },
        { dn: DN, confirm: true, description: s(1024), attribute: 'description' },
        { dn: DN, confirm: true, description: '', attribute: 'department' },
        { dn: DN, confirm: true, description: 'p', attribute: 'company' },
        { dn: DN, confirm: true, description: 'p', attribute: 'givenName' },
        { dn: DN, confirm: true, description: 'p', attribute: 'sn' },
      ],
      bad: [
        { dn: DN, confirm: false, description: 'probe' },
        { dn: DN, description: 'probe' },
        { dn: DN, confirm: true, description: s(1025) },
        { dn: DN, confirm: true, description: 'p', attribute: 'mail' },
        { dn: 'ab', confirm: true, description: 'p' },
      ],
    },
    output: {
      good: [
        {
          dn: DN,
          attribute: 'department',
          attributeSource: 'syncRules',
          attributeReason: 'flows',
          oldDescription: null,
          newDescription: 'probe',
        },
        {
          dn: DN,
          attribute: 'sn',
          attributeSource: 'defaultList',
          attributeReason: 'default',
          oldDescription: 'old',
          newDescription: 'probe',
        },
      ],
      bad: [
        {
          dn: DN,
          attribute: 'department',
          attributeSource: 'guess',
          attributeReason: 'r',
          oldDescription: null,
          newDescription: 'p',
        },
        {
          dn: DN,
          attribute: 'mail',
          attributeSource: 'syncRules',
          attributeReason: 'r',
          oldDescription: null,
          newDescription: 'p',
        },
        { dn: DN, attribute: 'sn', attributeSource: 'syncRules', attributeReason: 'r', newDescription: 'p' },
      ],
    },
  },
  'server.restoreOnPremObject': {
    input: {
      good: [
        { dn: DN, confirm: true, description: null },
        { dn: DN, confirm: true, description: s(1024), attribute: 'givenName' },
      ],
      bad: [
        { dn: DN, confirm: false, description: null },
        { dn: DN, confirm: true, description: s(1025) },
        { dn: DN, confirm: true },
        { dn: DN, confirm: true, description: null, attribute: 'title' },
      ],
    },
    output: {
      good: [
        { dn: DN, attribute: 'company', description: null },
        { dn: DN, attribute: 'description', description: 'old' },
      ],
      bad: [
        { dn: DN, attribute: 'title', description: null },
        { dn: DN, attribute: 'sn' },
      ],
    },
  },
  'journal.append': {
    input: {
      good: [
        { record: intent },
        { record: result },
        {
          record: {
            kind: 'intent',
            opId: s(100),
            objectType: 'user',
            objectId: s(100),
            action: 'rollback',
            request: { method: 'PATCH', url: '/u' },
          },
        },
        { record: { ...intent, objectType: 'group', action: 'displayName', runId: s(100), displayName: s(512) } },
        { record: { ...intent, action: 'adTouch' } },
        { record: { ...intent, action: 'adRestore' } },
        { record: { ...intent, action: 'auAdd' } },
        { record: { ...intent, action: 'planOverride' } },
        { record: { ...intent, actor: s(256) } },
        { record: { kind: 'result', opId: 'o', outcome: 'failed', verified: false, reason: s(2000) } },
        { record: { kind: 'result', opId: 'o', outcome: 'unknown', verified: false } },
      ],
      bad: [
        { record: { ...intent, opId: '' } },
        { record: { ...intent, opId: s(101) } },
        { record: { ...intent, runId: s(101) } },
        { record: { ...intent, objectType: 'device' } },
        { record: { ...intent, objectId: '' } },
        { record: { ...intent, objectId: s(101) } },
        { record: { ...intent, displayName: s(513) } },
        { record: { ...intent, actor: s(257) } },
        { record: { ...intent, action: 'delete' } },
        { record: { ...intent, request: { method: 'PATCH' } } },
        { record: { ...intent, request: undefined } },
        { record: { ...result, opId: '' } },
        { record: { ...result, opId: s(101) } },
        { record: { ...result, outcome: 'maybe' } },
        { record: { ...result, verified: undefined } },
        { record: { ...result, status: '204' } },
        { record: { ...result, reason: s(2001) } },
        { record: { ...result, kind: 'note' } },
        { record: intent, extra: 1 },
      ],
    },
    output: {
      good: [{ seq: 7, at: AT }],
      bad: [
        { seq: 1.5, at: AT },
        { seq: 1, at: 'now' },
      ],
    },
  },
  'journal.appendMany': {
    input: {
      good: [
        { records: [intent, result] },
        { records: many(500, result) },
        { records: [{ ...intent, actor: s(256) }] },
      ],
      bad: [
        { records: [] },
        { records: many(501, result) },
        { records: [{ ...intent, actor: s(257) }] },
        { records: [{ ...result, outcome: 'maybe' }] },
        { record: intent },
        { records: [intent], extra: 1 },
      ],
    },
    output: {
      good: [
        {
          written: [
            { seq: 1, at: AT },
            { seq: 2, at: AT_OFFSET },
          ],
          refused: [{ opId: 'op-2', message: 'carries a credential' }],
        },
        { written: [], refused: [] },
      ],
      bad: [
        { written: [{ seq: 1.5, at: AT }], refused: [] },
        { written: [{ seq: 1, at: 'now' }], refused: [] },
        { written: [], refused: [{ opId: 'o' }] },
        { written: [] },
        { refused: [] },
      ],
    },
  },
  'journal.pending': {
    input: { good: [{}], bad: [{ x: 1 }] },
    output: {
      good: [{ pending: [{ opId: 'op-1', intent: stored(intent, 3) }] }, { pending: [] }],
      bad: [
        { pending: [{ opId: 'op-1', intent: { ...stored(intent), tenant: undefined } }] },
        { pending: [{ opId: 'op-1', intent: stored(intent, 1.5) }] },
        { pending: [{ opId: 'op-1', intent: { ...stored(intent), at: 'now' } }] },
        { pending: [{ opId: 'op-1', intent: { ...stored(intent), objectType: 'device' } }] },
        { pending: [{ intent: stored(intent) }] },
      ],
    },
  },
  'journal.read': {
    input: {
      good: [
        withDefaults({}, { limit: 1000 }),
        { runId: s(100), limit: 1, afterSeq: 0 },
        { limit: 100000, afterSeq: 12 },
      ],
      bad: [
        { limit: 0 },
        { limit: 100001 },
        { limit: 1.5 },
        { afterSeq: -1 },
        { afterSeq: 0.5 },
        { runId: s(101) },
        { tenant: 't' },
      ],
    },
    output: {
      good: [{ records: [stored(intent, 1), stored(result, 2)], path: '/data/journal' }],
      bad: [{ records: [stored(intent)] }, { records: [{ ...stored(result), seq: undefined }], path: '/p' }],
    },
  },
  'report.open': {
    input: {
      good: [
        { file: 'report-1.html' },
        { file: 'a.json' },
        { file: 'A_b.c-d.csv' },
        { file: `${maxName}.html` },
        { file: '0.csv' },
      ],
      bad: [
        { file: '../x.html' },
        { file: 'x.txt' },
        { file: '.x.html' },
        { file: '-x.html' },
        { file: `${maxName}b.html` },
        { file: 'x.html.exe' },
        { file: 'dir/x.html' },
        { file: 'x html.html' },
        { file: '.html' },
      ],
    },
    output: {
      good: [
        { opened: true, url: null },
        { opened: false, url: 'https://127.0.0.1:9443/reports/a.html' },
      ],
      bad: [{ opened: true }, { opened: 'yes', url: null }],
    },
  },
  'report.saveAs': {
    input: { good: [{ file: 'r.json' }], bad: [{ file: 'r.pdf' }, { file: 'r.json', to: '/tmp' }] },
    output: {
      good: [
        { savedTo: '/home/a/r.json', url: null },
        { savedTo: null, url: 'https://x/r' },
      ],
      bad: [{ savedTo: null }, { url: null }],
    },
  },
  'run.save': {
    input: {
      good: [
        { run: snapshot },
        {
          run: {
            ...snapshot,
            kind: 'rollback',
            object: null,
            adProbe: null,
            auditSince: undefined,
            evidence: [],
            opIds: [],
          },
        },
        {
          run: {
            ...snapshot,
            index: 0,
            visited: 0,
            stepId: s(100),
            stepTitle: s(200),
            object: { type: 'group', id: s(100), displayName: s(512), mail: null, dn: null },
            evidence: many(100, evidence),
            opIds: many(100, s(100)),
          },
        },
        {
          run: {
            ...snapshot,
            index: 50,
            visited: 50,
            object: { ...snapshot.object, type: 'user', mail: s(320), dn: s(2048) },
          },
        },
        withDefaults(
          { run: { ...snapshot, adProbe: { oldDescription: 'o', newDescription: 'n', since: AT } } },
          {
            run: {
              ...snapshot,
              adProbe: { attribute: 'description', oldDescription: 'o', newDescription: 'n', since: AT },
            },
          },
        ),
        {
          run: {
            ...snapshot,
            evidence: [{ ...evidence, proof: { by: 'write', summary: 'PATCH refused', account: s(256) } }],
          },
        },
        { run: { ...snapshot, evidence: [{ ...evidence, proof: { by: 'state', summary: 'isCloudManaged false' } }] } },
        ...(['warn', 'fail', 'info', 'skipped', 'pending', 'cancelled'] as const).map((verdict) => ({
          run: { ...snapshot, evidence: [{ ...evidence, verdict }] },
        })),
      ],
      bad: [
        { run: { ...snapshot, runId: 'run-1' } },
        { run: { ...snapshot, kind: 'move' } },
        { run: { ...snapshot, startedAt: 'now' } },
        { run: { ...snapshot, index: -1 } },
        { run: { ...snapshot, index: 51 } },
        { run: { ...snapshot, index: 1.5 } },
        { run: { ...snapshot, visited: -1 } },
        { run: { ...snapshot, visited: 51 } },
        { run: { ...snapshot, stepId: '' } },
        { run: { ...snapshot, stepId: s(101) } },
        { run: { ...snapshot, stepTitle: s(201) } },
        { run: { ...snapshot, object: { ...snapshot.object, type: 'device' } } },
        { run: { ...snapshot, object: { ...snapshot.object, id: '' } } },
        { run: { ...snapshot, object: { ...snapshot.object, id: s(101) } } },
        { run: { ...snapshot, object: { ...snapshot.object, displayName: s(513) } } },
        { run: { ...snapshot, object: { ...snapshot.object, mail: s(321) } } },
        { run: { ...snapshot, object: { ...snapshot.object, dn: s(2049) } } },
        { run: { ...snapshot, evidence: many(101, evidence) } },
        { run: { ...snapshot, evidence: [{ ...evidence, id: '' }] } },
        { run: { ...snapshot, evidence: [{ ...evidence, id: s(101) }] } },
        { run: { ...snapshot, evidence: [{ ...evidence, verdict: 'ok' }] } },
        { run: { ...snapshot, evidence: [{ ...evidence, requests: [{ kind: 'http', label: 'l', at: AT }] }] } },
        {
          run: {
            ...snapshot,
            evidence: [{ ...evidence, requests: [{ kind: 'graph', label: 'l', at: AT, status: true }] }],
          },
        },
        {
          run: {
            ...snapshot,
            evidence: [{ ...evidence, requests: [{ kind: 'graph', label: 'l', at: AT, attempts: 'x' }] }],
          },
        },
        { run: { ...snapshot, evidence: [{ ...evidence, notes: 'n' }] } },
        { run: { ...snapshot, evidence: [{ ...evidence, proof: { by: 'guess', summary: 's' } }] } },
        { run: { ...snapshot, evidence: [{ ...evidence, proof: { by: 'write' } }] } },
        { run: { ...snapshot, evidence: [{ ...evidence, proof: { by: 'write', summary: 's', account: s(257) } }] } },
        { run: { ...snapshot, opIds: many(101, 'o') } },
        { run: { ...snapshot, opIds: [s(101)] } },
        { run: { ...snapshot, auditSince: 'then' } },
        { run: { ...snapshot, adProbe: { ...snapshot.adProbe, attribute: 'mail' } } },
        { run: { ...snapshot, adProbe: { attribute: 'sn', oldDescription: null, since: AT } } },
        { run: snapshot, savedAt: AT },
      ],
    },
    output: { good: [{ savedAt: AT }], bad: [{ savedAt: 'now' }] },
  },
  'run.list': {
    input: { good: [{}], bad: [{ status: 'open' }] },
    output: {
      good: [
        {
          runs: [
            { ...snapshot, savedAt: AT, status: 'open' },
            { ...snapshot, savedAt: AT, status: 'finished' },
            { ...snapshot, savedAt: AT_OFFSET, status: 'abandoned' },
          ],
        },
      ],
      bad: [
        { runs: [{ ...snapshot, savedAt: AT, status: 'closed' }] },
        { runs: [{ ...snapshot, status: 'open' }] },
        { runs: [{ ...snapshot, savedAt: AT }] },
      ],
    },
  },
  'run.close': {
    input: {
      good: [
        { runId: UUID, status: 'finished' },
        { runId: UUID, status: 'abandoned' },
      ],
      bad: [{ runId: UUID, status: 'open' }, { runId: 'r', status: 'finished' }, { runId: UUID }],
    },
    output: { good: [{ closed: true }], bad: [{ closed: 'true' }] },
  },
  'report.save': {
    input: {
      good: [
        { name: 'report-1', format: 'html', content: '<html></html>' },
        { name: 'a.b_c-D9', format: 'json', content: '{}' },
        { name: s(120, 'a'), format: 'csv', content: '' },
        { name: '.', format: 'csv', content: 'a,b' },
      ],
      bad: [
        { name: '', format: 'html', content: 'x' },
        { name: s(121, 'a'), format: 'html', content: 'x' },
        { name: 'a/b', format: 'html', content: 'x' },
        { name: 'a b', format: 'html', content: 'x' },
        { name: 'a', format: 'pdf', content: 'x' },
        { name: 'a', format: 'html' },
        { name: 'a', format: 'html', content: 'x', path: '/etc' },
      ],
    },
    output: { good: [{ path: '/data/reports/a.html' }], bad: [{}] },
  },
  'report.saveBegin': {
    input: {
      good: [
        { name: 'bulk-plan-1', format: 'json' },
        { name: s(120, 'a'), format: 'csv' },
      ],
      bad: [
        { name: 'a/b', format: 'json' },
        { name: s(121, 'a'), format: 'json' },
        { name: 'a', format: 'pdf' },
        { name: 'a', format: 'json', content: 'x' },
      ],
    },
    output: { good: [{ uploadId: UUID }], bad: [{ uploadId: 'u-1' }, {}] },
  },
  'report.savePart': {
    input: {
      good: [
        { uploadId: UUID, part: 0, content: 'x' },
        { uploadId: UUID, part: 49, content: s(1_048_576, 'a') },
      ],
      bad: [
        { uploadId: 'u-1', part: 0, content: 'x' },
        { uploadId: UUID, part: -1, content: 'x' },
        { uploadId: UUID, part: 1.5, content: 'x' },
        { uploadId: UUID, part: 0, content: '' },
        { uploadId: UUID, part: 0, content: s(1_048_577, 'a') },
        { uploadId: UUID, content: 'x' },
        { uploadId: UUID, part: 0, content: 'x', last: true },
      ],
    },
    output: { good: [{ chars: 0 }, { chars: 2_000_000 }], bad: [{ chars: -1 }, {}] },
  },
  'report.saveEnd': {
    input: {
      good: [
        { uploadId: UUID, parts: 0, chars: 0 },
        { uploadId: UUID, parts: 48, chars: 50_000_000 },
      ],
      bad: [
        { uploadId: UUID, parts: 48, chars: 50_000_001 },
        { uploadId: UUID, parts: -1, chars: 0 },
        { uploadId: UUID, chars: 0 },
        { uploadId: 'x', parts: 0, chars: 0 },
      ],
    },
    output: { good: [{ path: '/data/reports/a.json' }], bad: [{}, { path: 1 }] },
  },
  'report.saveAbort': {
    input: { good: [{ uploadId: UUID }], bad: [{}, { uploadId: 'x' }, { uploadId: UUID, why: 'x' }] },
    output: { good: [{ aborted: true }, { aborted: false }], bad: [{}, { aborted: 'yes' }] },
  },
};

function parse(schema: z.ZodType, value: unknown) {
  return schema.safeParse(value);
}

type Def = { input: z.ZodType; output: z.ZodType; progress?: z.ZodType };
const defs = contract as unknown as Record<OperationName, Def>;

describe('IPC contract: per-operation fixtures', () => {
  it('has fixtures for every operation, and progress fixtures exactly for the streaming ones', () => {
    expect(Object.keys(fixtures).sort()).toEqual([...operationNames].sort());
    for (const name of operationNames) {
      expect(Boolean(fixtures[name].progress), name).toBe(Boolean(defs[name].progress));
    }
  });

  for (const name of Object.keys(fixtures) as OperationName[]) {
    describe(name, () => {
      const f = fixtures[name];
      const parts: ['input' | 'output' | 'progress', Fixtures['input'] | undefined][] = [
        ['input', f.input],
        ['output', f.output],
        ['progress', f.progress],
      ];
      for (const [part, cases] of parts) {
        if (!cases) continue;
        it(`${part}: accepts each valid value unchanged (or with its defaults)`, () => {
          const schema = defs[name][part] as z.ZodType;
          cases.good.forEach((g, i) => {
            const { value, expected } = unpack(g);
            const r = parse(schema, value);
            expect(r.success, `${name} ${part} good[${i}]: ${JSON.stringify(r.error?.issues ?? [])}`).toBe(true);
            expect(r.data, `${name} ${part} good[${i}]`).toEqual(expected);
          });
        });
        it(`${part}: refuses each value that breaks one rule`, () => {
          const schema = defs[name][part] as z.ZodType;
          cases.bad.forEach((b, i) => {
            expect(parse(schema, b).success, `${name} ${part} bad[${i}] was accepted`).toBe(false);
          });
        });
      }
    });
  }
});

describe('IPC contract: shared shapes and constants', () => {
  it('checkResult keeps every field and each status', () => {
    for (const status of ['pass', 'warn', 'fail', 'notChecked']) {
      expect(checkResult.parse({ ...check, status })).toEqual({ ...check, status });
    }
    expect(checkResult.safeParse({ ...check, status: 'skipped' }).success).toBe(false);
  });

  it('ipcError takes each error code the router and handlers return', () => {
    const codes = [
      'validation',
      'forbiddenSender',
      'internal',
      'cancelled',
      'timeout',
      'busy',
      'notSignedIn',
      'interactionRequired',
      'notFound',
      'conflict',
      'unavailable',
      'powershell',
      'stagingMode',
      'refused',
    ];
    expect(errorCode.options).toEqual(codes);
    for (const code of codes) {
      expect(ipcError.parse({ code, message: 'm', detail: { a: 1 } })).toEqual({
        code,
        message: 'm',
        detail: { a: 1 },
      });
    }
    expect(ipcError.safeParse({ code: 'teapot', message: 'm' }).success).toBe(false);
    expect(ipcError.safeParse({ code: 'busy' }).success).toBe(false);
  });

  it('a progress event carries its operation id, operation and data', () => {
    const e = { operationId: UUID, operation: 'server.runSyncCycle', data: { phase: 'running' } };
    expect(progressEvent.parse(e)).toEqual(e);
    expect(progressEvent.safeParse({ ...e, operationId: 'x' }).success).toBe(false);
    expect(progressEvent.safeParse({ operationId: UUID, data: 1 }).success).toBe(false);
  });

  it('names the channels soa:<name> and soa:event', () => {
    expect(CHANNEL_PREFIX).toBe('soa:');
    expect(EVENT_CHANNEL).toBe('soa:event');
  });

  it('turns <area>.<verb> into the camelCase method name', () => {
    expect(methodName('server.traceObject')).toBe('serverTraceObject');
    expect(methodName('app.info')).toBe('appInfo');
    expect(methodName('a.b.c')).toBe('aBC');
    expect(methodName('noDot')).toBe('noDot');
    expect(methodName('a.Bc')).toBe('a.Bc');
  });

  it('gives the large-input operations their own body limit and every other name the default', () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(65_536);
    expect(maxBodyBytes('journal.append')).toBe(1_048_576);
    expect(maxBodyBytes('run.save')).toBe(4_194_304);
    expect(maxBodyBytes('report.save')).toBe(67_108_864);
    expect(maxBodyBytes('report.savePart')).toBe(8_388_608);
    expect(maxBodyBytes('report.saveBegin')).toBe(65_536);
    expect(maxBodyBytes('journal.appendMany')).toBe(8_388_608);
    expect(maxBodyBytes('app.ping')).toBe(65_536);
    expect(maxBodyBytes('no.such')).toBe(65_536);
    expect(maxBodyBytes('toString')).toBe(65_536);
    expect(maxBodyBytes('__proto__')).toBe(65_536);
  });

  it('lists exactly the national clouds of docs/reference/national-clouds.md, in its order', () => {
    // the table rows: | Cloud | `authority host` | `Graph service root` | status |
    const rows = readFileSync(
      fileURLToPath(new URL('../../../../docs/reference/national-clouds.md', import.meta.url)),
      'utf8',
    )
      .split('\n')
      .map((line) => /^\| (.+?) \| `(https:\/\/[^`]+)` \| `(https:\/\/[^`]+)` \|/.exec(line))
      .filter((m) => m !== null)
      .map(([, cloud = '', authorityHost, graphEndpoint]) => ({ cloud, authorityHost, graphEndpoint }));
    expect(rows).toHaveLength(4);
    expect(nationalClouds.map(({ authorityHost, graphEndpoint }) => ({ authorityHost, graphEndpoint }))).toEqual(
      rows.map(({ authorityHost, graphEndpoint }) => ({ authorityHost, graphEndpoint })),
    );
    rows.forEach((row, i) => expect(nationalClouds[i]?.label.startsWith(row.cloud)).toBe(true));
  });
});

/**
 * The Application event log, queried the way `Get-WinEvent -FilterHashtable` does: newest first,
 * unknown providers/logs and empty results are errors, not empty lists.
 */
import { iso, type OnPremContext } from './context.js';
import { wildcardMatch } from './ldap-filter.js';
import { noMatchingEvents, noMatchingLog, noMatchingProvider } from './ps-errors.js';
import type { Event6956Shape, EventState } from './state.js';

export const LOG_NAMES = ['Application'];
export const BUILTIN_PROVIDERS = [
  'ADSync',
  'Directory Synchronization',
  'Entra Connect Admin Actions',
  'MSSQL$LOCALDB',
  'Microsoft-Windows-Security-SPP',
];
const LEVEL_NAMES: Record<number, string> = { 1: 'Critical', 2: 'Error', 3: 'Warning', 4: 'Information', 5: 'Verbose' };

export const EVENT_6956_LEVEL = 3;

export function event6956Message(dn: string): string {
  return `The object ${dn} has not been synced to the cloud because the source of authority of the object is in the cloud.`;
}

/**
 * Message and event data of one 6956 event in the configured shape (`Event6956Shape` in state.ts).
 * Microsoft documents the event only by a screenshot, so every shape is a plausible variant.
 */
export function event6956Event(
  shape: Event6956Shape,
  adDn: string,
  entraDn: string,
  connectorName: string,
): { Message: string; Properties: string[] } {
  switch (shape) {
    case 'messageAndData':
      return { Message: event6956Message(adDn), Properties: [adDn] };
    case 'dataOnly':
      return {
        Message:
          'An object was not synchronized to the cloud because its source of authority is in the cloud. See the event data for the object.',
        Properties: [connectorName, entraDn, adDn],
      };
    case 'messageOnly':
      return {
        Message: `Export of ${entraDn} skipped: source of authority is in the cloud. On-premises object: ${adDn}. The change was not synchronized.`,
        Properties: [],
      };
  }
}

export interface NewEvent {
  Id: number;
  ProviderName: string;
  Message: string;
  Level?: number;
  LogName?: string;
  Properties?: string[];
}

export function writeEvent(ctx: OnPremContext, e: NewEvent): EventState {
  ctx.state.recordId += 1;
  if (!providers(ctx).some((p) => p.toLowerCase() === e.ProviderName.toLowerCase())) {
    ctx.state.extraProviders.push(e.ProviderName);
  }
  const ev: EventState = {
    RecordId: ctx.state.recordId,
    TimeCreated: ctx.clock.now(),
    Id: e.Id,
    ProviderName: e.ProviderName,
    LogName: e.LogName ?? 'Application',
    Level: e.Level ?? 4,
    Message: e.Message,
    Properties: e.Properties ?? [],
  };
  ctx.state.events.push(ev);
  return ev;
}

/** Registered providers: the built-in ones, the configured 6956 provider and any that ever wrote. */
export function providers(ctx: OnPremContext): string[] {
  const all = new Set([...BUILTIN_PROVIDERS, ctx.state.config.event6956Provider, ...ctx.state.extraProviders]);
  for (const e of ctx.state.events) all.add(e.ProviderName);
  return [...all];
}

export function eventView(ctx: OnPremContext, e: EventState): Record<string, unknown> {
  return {
    TimeCreated: iso(e.TimeCreated),
    Id: e.Id,
    ProviderName: e.ProviderName,
    LogName: e.LogName,
    Level: e.Level,
    LevelDisplayName: LEVEL_NAMES[e.Level] ?? String(e.Level),
    RecordId: e.RecordId,
    MachineName: `AADCONNECT01.${ctx.forest}`,
    Message: e.Message,
    Properties: e.Properties.map((Value) => ({ Value })),
  };
}

export interface EventQuery {
  LogName?: string[];
  ProviderName?: string[];
  Id?: number[];
  Level?: number[];
  StartTime?: number;
  EndTime?: number;
  MaxEvents?: number;
}

export function queryEvents(ctx: OnPremContext, q: EventQuery): EventState[] {
  for (const log of q.LogName ?? []) {
    if (!LOG_NAMES.some((l) => wildcardMatch(log, l))) throw noMatchingLog(log);
  }
  const known = providers(ctx);
  for (const p of q.ProviderName ?? []) {
    if (!known.some((k) => wildcardMatch(p, k))) throw noMatchingProvider(p);
  }
  const out: EventState[] = [];
  for (let i = ctx.state.events.length - 1; i >= 0; i -= 1) {
    const e = ctx.state.events[i];
    if (!e) continue;
    if (q.LogName && !q.LogName.some((l) => wildcardMatch(l, e.LogName))) continue;
    if (q.ProviderName && !q.ProviderName.some((p) => wildcardMatch(p, e.ProviderName))) continue;
    if (q.Id && !q.Id.includes(e.Id)) continue;
    if (q.Level && !q.Level.includes(e.Level)) continue;
    if (q.StartTime !== undefined && e.TimeCreated < q.StartTime) continue;
    if (q.EndTime !== undefined && e.TimeCreated > q.EndTime) continue;
    out.push(e);
    if (q.MaxEvents !== undefined && out.length >= q.MaxEvents) break;
  }
  out.sort((a, b) => b.RecordId - a.RecordId);
  if (out.length === 0) throw noMatchingEvents();
  return out;
}

export function seedEvents(ctx: OnPremContext): void {
  writeEvent(ctx, {
    Id: 1003,
    ProviderName: 'Microsoft-Windows-Security-SPP',
    Message: 'The Software Protection service has completed licensing status check.',
  });
  writeEvent(ctx, {
    Id: 17137,
    ProviderName: 'MSSQL$LOCALDB',
    Message: "Starting up database 'ADSync'.",
  });
  writeEvent(ctx, {
    Id: 2001,
    ProviderName: 'Directory Synchronization',
    Message: 'The Microsoft Azure AD Sync service was started.',
  });
}

/**
 * What one Cloud Sync provisioning outcome says about an object: a provisionOnDemand answer or a provisioning-log
 * entry, classified into one vocabulary. The SOA skip is "skipped" plus text naming the SOA being in the cloud; its
 * wording is documented for groups and users, not for contacts, so every plausible wording counts and a skip for any
 * other reason does not (docs/reference/cloud-sync.md#skip-on-soa).
 */
import type { ProvisionOnDemandResult, ProvisioningLogEntry } from '../graph/cloud-sync-graph';

export type ProvisioningOutcomeKind =
  /** Skipped because the SOA is in the cloud: the block the transfer promises. */
  | 'soaSkipped'
  /** Skipped for another reason (already in step, out of scope…): no evidence of the block. */
  | 'skippedOther'
  /** Processed (success or warning): the engine wrote, or would write, the object. */
  | 'processed'
  | 'failed'
  | 'unknown';

export interface ProvisioningOutcome {
  kind: ProvisioningOutcomeKind;
  /** The status as the source states it (`Skipped`, `success`…). */
  status: string | null;
  /** The text the verdict rests on (the skip reason, the error), verbatim. */
  reason: string | null;
  source: 'provisionOnDemand' | 'provisioningLog';
  /** Log entries only. */
  entryId?: string;
  at?: string;
  cycleId?: string | null;
}

/**
 * Wordings that name the SOA being in the cloud: the documented group text ("As the SOA of this group is in the
 * cloud…"), the documented user text ("…skipped because the cloud is authoritative"), and the same meaning said
 * differently (source of authority, cloud-managed, isCloudManaged).
 */
const SOA_REASON: readonly RegExp[] = [
  /\bSOA\b[^.]*\bcloud\b/i,
  /\bsource of authority\b/i,
  /\bcloud is (the )?authoritative\b/i,
  /\bcloud[- ]?managed\b/i,
  /\bisCloudManaged\b/i,
  /\bSourceOfAuthority/i,
];

export function namesSoaInCloud(text: string): boolean {
  return SOA_REASON.some((r) => r.test(text));
}

/** Every string inside a value (step details are open key/value bags). */
function strings(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 6 || value === null || value === undefined) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out, depth + 1);
  else if (typeof value === 'object')
    for (const v of Object.values(value as Record<string, unknown>)) strings(v, out, depth + 1);
  return out;
}

function norm(s: string | null | undefined): string {
  return (s ?? '').trim().toLowerCase();
}

interface Parts {
  status: string | null;
  /** Texts of skipped steps and of the overall result, most specific first. */
  skipTexts: string[];
  failTexts: string[];
  anySkippedStep: boolean;
}

function classifyParts(p: Parts): { kind: ProvisioningOutcomeKind; reason: string | null } {
  const status = norm(p.status);
  const soa = p.skipTexts.find(namesSoaInCloud);
  if (status === 'skipped' || (status === '' && p.anySkippedStep)) {
    if (soa) return { kind: 'soaSkipped', reason: soa };
    return { kind: 'skippedOther', reason: p.skipTexts.find((t) => t.trim() !== '') ?? null };
  }
  if (status === 'failure' || status === 'failed') {
    return { kind: 'failed', reason: p.failTexts.find((t) => t.trim() !== '') ?? null };
  }
  if (status === 'success' || status === 'warning') {
    // A processed entry whose skipped step names the SOA still is the skip (the step is the specific part).
    if (soa && p.anySkippedStep) return { kind: 'soaSkipped', reason: soa };
    return { kind: 'processed', reason: null };
  }
  return { kind: 'unknown', reason: null };
}

export function outcomeOfProvisionOnDemand(r: ProvisionOnDemandResult): ProvisioningOutcome {
  const skipped = r.steps.filter((s) => norm(s.status) === 'skipped');
  const skipTexts = [
    ...skipped.flatMap((s) => [s.description ?? '', ...strings(s.details)]),
    ...strings(r.details),
    r.statusInfo?.reason ?? '',
  ];
  const failTexts = [
    ...strings(r.details),
    ...r.steps.filter((s) => norm(s.status) === 'failure').flatMap((s) => [s.description ?? '', ...strings(s.details)]),
  ];
  const c = classifyParts({ status: r.result, skipTexts, failTexts, anySkippedStep: skipped.length > 0 });
  return { ...c, status: r.result, source: 'provisionOnDemand' };
}

export function outcomeOfLogEntry(e: ProvisioningLogEntry): ProvisioningOutcome {
  const steps = e.provisioningSteps ?? [];
  const skipped = steps.filter((s) => norm(s.status) === 'skipped');
  const info = e.provisioningStatusInfo?.errorInformation;
  const infoTexts = [info?.reason ?? '', info?.additionalDetails ?? '', info?.errorCode ?? ''];
  const c = classifyParts({
    status: e.provisioningStatusInfo?.status ?? null,
    skipTexts: [...skipped.flatMap((s) => [s.description ?? '', ...strings(s.details)]), ...infoTexts],
    failTexts: [...infoTexts, ...steps.filter((s) => norm(s.status) === 'failure').map((s) => s.description ?? '')],
    anySkippedStep: skipped.length > 0,
  });
  return {
    ...c,
    status: e.provisioningStatusInfo?.status ?? null,
    source: 'provisioningLog',
    entryId: e.id,
    at: e.activityDateTime,
    cycleId: e.cycleId ?? null,
  };
}

/** How a log entry names an object: the Entra object id, the AD DN, or both. */
export interface ObjectKeys {
  entraId?: string | null;
  dn?: string | null;
}

function sameDn(a: string, b: string): boolean {
  return (
    a
      .replace(/\s*,\s*/g, ',')
      .trim()
      .toLowerCase() ===
    b
      .replace(/\s*,\s*/g, ',')
      .trim()
      .toLowerCase()
  );
}

/**
 * Whether a log entry is about this object. Which identity carries the AD object in a Cloud Sync entry is not
 * documented, so each plausible place counts: `targetIdentity.id` = the Entra object id, `sourceIdentity.id` = the
 * DN, or a `distinguishedName` detail of a step or of the source identity.
 */
export function entryMatches(e: ProvisioningLogEntry, keys: ObjectKeys): boolean {
  const entraId = norm(keys.entraId);
  if (entraId && (norm(e.targetIdentity?.id) === entraId || norm(e.sourceIdentity?.id) === entraId)) return true;
  const dn = keys.dn;
  if (!dn) return false;
  if (e.sourceIdentity?.id && sameDn(e.sourceIdentity.id, dn)) return true;
  const bags = [e.sourceIdentity?.details, ...(e.provisioningSteps ?? []).map((s) => s.details)];
  return bags.some((bag) => dnDetail(bag).some((v) => sameDn(v, dn)));
}

/** `distinguishedName` values in a details bag (an object, or a list of key/value pairs). */
function dnDetail(bag: unknown): string[] {
  if (bag === null || typeof bag !== 'object') return [];
  if (Array.isArray(bag)) {
    return bag.flatMap((kv) => {
      if (kv === null || typeof kv !== 'object') return [];
      const r = kv as Record<string, unknown>;
      const k = r.key ?? r.name;
      return typeof k === 'string' && k.toLowerCase() === 'distinguishedname' && typeof r.value === 'string'
        ? [r.value]
        : [];
    });
  }
  return Object.entries(bag as Record<string, unknown>).flatMap(([k, v]) =>
    k.toLowerCase() === 'distinguishedname' && typeof v === 'string' ? [v] : dnDetail(v),
  );
}

/**
 * Which engine syncs an object: Cloud Sync (a configuration whose AD2AADProvisioning job provisions the object's AD
 * domain) or Connect Sync (an AD connector whose selected partition holds the object's DN). No Graph property tells
 * them apart, so the route rests on these two matches and says what it rests on; both or neither are reported as
 * such, never guessed (docs/reference/cloud-sync.md#engine-detection).
 */
import type { CloudSyncConfiguration } from '../graph/cloud-sync-graph';

export type SyncEngine = 'cloudSync' | 'connectSync';

/** An AD connector of the Connect Sync server and its selected partitions (DNs). */
export interface ConnectorPartitions {
  connector: string;
  partitions: readonly string[];
}

export interface EngineInputs {
  /** Cloud Sync configurations; null when they could not be read (not the same as "none"). */
  cloudSync: readonly CloudSyncConfiguration[] | null;
  /** Connect Sync AD connectors; null when the server could not be asked. */
  connectSync: readonly ConnectorPartitions[] | null;
}

export type RouteKind = SyncEngine | 'both' | 'none' | 'unknown';

export interface EngineRoute {
  engine: RouteKind;
  /** The AD domain of the DN (its DC= components), lower-case. */
  domain: string | null;
  cloudSync: CloudSyncConfiguration | null;
  connectSync: { connector: string; partition: string } | null;
  /** What the route rests on, one sentence each. */
  basis: string[];
}

function rdns(dn: string): string[] {
  // Split on commas that are not escaped (`\,`).
  return dn
    .split(/(?<!\\),/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The DNS domain of an AD DN: its `DC=` components joined by dots (`CN=x,OU=y,DC=corp,DC=contoso,DC=com` → `corp.contoso.com`). */
export function adDomainOf(dn: string): string | null {
  const dcs = rdns(dn)
    .filter((p) => /^dc=/i.test(p))
    .map((p) => p.slice(3).trim().toLowerCase());
  return dcs.length > 0 ? dcs.join('.') : null;
}

function normDn(dn: string): string {
  return rdns(dn).join(',').toLowerCase();
}

/** True when `dn` is `root` or lies under it (whole RDNs). */
export function dnUnder(dn: string, root: string): boolean {
  const d = normDn(dn);
  const r = normDn(root);
  return r !== '' && (d === r || d.endsWith(`,${r}`));
}

/** The connector whose partition holds the DN; the longest (most specific) partition wins. */
export function connectorFor(
  dn: string,
  connectors: readonly ConnectorPartitions[],
): { connector: string; partition: string } | null {
  let best: { connector: string; partition: string } | null = null;
  for (const c of connectors) {
    for (const p of c.partitions) {
      if (dnUnder(dn, p) && (!best || normDn(p).length > normDn(best.partition).length)) {
        best = { connector: c.connector, partition: p };
      }
    }
  }
  return best;
}

/** Every Cloud Sync configuration whose domain is the DN's domain (exact DomainFQDN match: a child domain is another domain). */
export function configurationsFor(
  dn: string,
  configurations: readonly CloudSyncConfiguration[],
): CloudSyncConfiguration[] {
  const domain = adDomainOf(dn);
  if (!domain) return [];
  return configurations.filter((c) => c.domain === domain);
}

/** The one Cloud Sync configuration that provisions the DN's domain; null when none or more than one does. */
export function configurationFor(
  dn: string,
  configurations: readonly CloudSyncConfiguration[],
): CloudSyncConfiguration | null {
  const all = configurationsFor(dn, configurations);
  return all.length === 1 ? (all[0] ?? null) : null;
}

export function routeObject(dn: string | null, inputs: EngineInputs): EngineRoute {
  if (!dn) {
    return {
      engine: 'unknown',
      domain: null,
      cloudSync: null,
      connectSync: null,
      basis: ['No on-premises DN is known for the object, so its sync engine cannot be matched.'],
    };
  }
  const domain = adDomainOf(dn);
  const basis: string[] = [];
  const claims = inputs.cloudSync ? configurationsFor(dn, inputs.cloudSync) : [];
  // Two configurations for one domain: which one syncs the object cannot be told (never picked by order).
  const cloud = claims.length === 1 ? (claims[0] ?? null) : null;
  const connect = inputs.connectSync ? connectorFor(dn, inputs.connectSync) : null;
  // A configuration whose domain could not be read might be the one for this domain (docs/reference/cloud-sync.md#synchronization-secrets).
  const domainUnknown = (inputs.cloudSync ?? []).filter((c) => c.domain === null);
  if (inputs.cloudSync === null) basis.push('The Cloud Sync configurations could not be read.');
  else if (claims.length > 1) {
    basis.push(
      `${claims.length} Cloud Sync configurations claim ${domain ?? 'this domain'} (jobs ${claims.map((c) => c.jobId).join(', ')}): which one syncs the object cannot be told. A domain should have one configuration; check Cloud Sync → Configurations in the Entra admin center.`,
    );
  } else if (cloud) {
    basis.push(
      `Cloud Sync: job ${cloud.jobId} of "${cloud.displayName ?? cloud.servicePrincipalId}" provisions ${cloud.domain ?? ''}${cloud.domainSource === 'displayName' ? ' (domain read from the configuration name: the job has no DomainFQDN setting)' : ' (DomainFQDN)'}.`,
    );
  } else if (domainUnknown.length > 0) {
    basis.push(
      `No Cloud Sync configuration names ${domain ?? 'this DN'} as its domain, but ${domainUnknown.length} configuration(s) do not tell their domain (${domainUnknown.map((c) => `job ${c.jobId}`).join(', ')}: no DomainFQDN job setting and no domain-like name), so Cloud Sync cannot be ruled out.`,
    );
  } else basis.push(`No Cloud Sync configuration provisions ${domain ?? 'this DN'}.`);
  if (inputs.connectSync === null) basis.push('The Connect Sync connectors could not be read on the server.');
  else if (connect)
    basis.push(`Connect Sync: AD connector "${connect.connector}" holds partition ${connect.partition}.`);
  else basis.push('No Connect Sync AD connector partition holds this DN.');

  const engine: RouteKind =
    claims.length > 1
      ? 'unknown'
      : cloud && connect
        ? 'both'
        : cloud
          ? 'cloudSync'
          : connect
            ? 'connectSync'
            : inputs.cloudSync === null || inputs.connectSync === null || domainUnknown.length > 0
              ? 'unknown'
              : 'none';
  if (engine === 'both') {
    basis.push(
      'Both engines claim this DN: a domain must be synced by one engine only. Check the Cloud Sync scoping filters and the Connect Sync OU filtering, then pick the engine that really syncs it.',
    );
  }
  return { engine, domain, cloudSync: cloud, connectSync: connect, basis };
}

export interface EngineCoverage {
  cloudSync: { configuration: CloudSyncConfiguration; objects: string[] }[];
  connectSync: { connector: string; objects: string[] }[];
  both: string[];
  none: string[];
  unknown: string[];
}

/** Which objects (by DN) each engine covers, for preflight and the bulk plan. */
export function engineCoverage(dns: readonly (string | null)[], inputs: EngineInputs): EngineCoverage {
  const out: EngineCoverage = { cloudSync: [], connectSync: [], both: [], none: [], unknown: [] };
  for (const dn of dns) {
    const r = routeObject(dn, inputs);
    const label = dn ?? '(no DN)';
    if (r.engine === 'cloudSync' && r.cloudSync) {
      const cfg = r.cloudSync;
      let row = out.cloudSync.find((x) => x.configuration.jobId === cfg.jobId);
      if (!row) out.cloudSync.push((row = { configuration: cfg, objects: [] }));
      row.objects.push(label);
    } else if (r.engine === 'connectSync' && r.connectSync) {
      const name = r.connectSync.connector;
      let row = out.connectSync.find((x) => x.connector === name);
      if (!row) out.connectSync.push((row = { connector: name, objects: [] }));
      row.objects.push(label);
    } else if (r.engine === 'both') out.both.push(label);
    else if (r.engine === 'none') out.none.push(label);
    else out.unknown.push(label);
  }
  return out;
}

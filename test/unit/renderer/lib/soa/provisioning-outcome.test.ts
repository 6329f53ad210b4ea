import { describe, expect, it } from 'vitest';
import {
  parseProvisionOnDemand,
  type ProvisioningLogEntry,
} from '../../../../../src-renderer/lib/graph/cloud-sync-graph';
import {
  entryMatches,
  namesSoaInCloud,
  outcomeOfLogEntry,
  outcomeOfProvisionOnDemand,
} from '../../../../../src-renderer/lib/soa/provisioning-outcome';
import { logEntry, onDemandAnswer } from './cloud-sync-fakes';

const pod = (body: unknown) => outcomeOfProvisionOnDemand(parseProvisionOnDemand(body));
const entry = (e: Parameters<typeof logEntry>[0]) => logEntry(e) as unknown as ProvisioningLogEntry;

/** The skip texts a contact might carry: the documented group and user wordings, and other plausible ones. */
const SOA_SKIP_VARIANTS = [
  'As the SOA of this group is in the cloud, this object will not sync.',
  'As the SOA of this contact is in the cloud, this object will not sync.',
  'Does not provision the user. Changes made directly in AD are skipped because the cloud is authoritative',
  'The source of authority for this object is the cloud.',
  'Object is cloud managed (isCloudManaged = true); skipping.',
];

describe('the SOA skip wording', () => {
  it.each(SOA_SKIP_VARIANTS)('recognises "%s"', (text) => {
    expect(namesSoaInCloud(text)).toBe(true);
  });

  it.each([
    'The state of the user in both the source and target systems already match.',
    'Object is out of scope: scoping filter did not match.',
    'RedundantExport',
  ])('does not take "%s" for the SOA skip', (text) => {
    expect(namesSoaInCloud(text)).toBe(false);
  });
});

describe('a provisionOnDemand answer', () => {
  it.each(SOA_SKIP_VARIANTS)('is the SOA skip when the result is Skipped and a skipped step says "%s"', (text) => {
    const o = pod(
      onDemandAnswer('Skipped', [
        { name: 'EntryImport', type: 'Import', status: 'Success', description: 'Received contact' },
        {
          name: 'EntrySynchronizationSkip',
          type: 'Export',
          status: 'Skipped',
          description: text,
          details: { SkipReason: 'SourceOfAuthorityIsCloud' },
        },
      ]),
    );
    expect(o).toMatchObject({ kind: 'soaSkipped', status: 'Skipped', source: 'provisionOnDemand' });
    expect(o.reason).not.toBeNull();
  });

  it('finds the SOA reason in the key details too (errorMessage)', () => {
    const o = pod(
      onDemandAnswer('Skipped', [], {
        errorCode: 'SOAInCloud',
        errorMessage: 'As the SOA of this contact is in the cloud, this object will not sync.',
      }),
    );
    expect(o.kind).toBe('soaSkipped');
  });

  it('is NOT the SOA skip when skipped for another reason (the documented RedundantExport)', () => {
    const o = pod(
      onDemandAnswer(
        'Skipped',
        [
          {
            name: 'EntrySynchronizationSkip',
            type: 'Export',
            status: 'Skipped',
            description: 'The state of the user in both the source and target systems already match.',
            details: { SkipReason: 'RedundantExport' },
          },
        ],
        {
          errorCode: 'RedundantExport',
          errorMessage: 'The state of the user in both the source and target systems already match.',
        },
      ),
    );
    expect(o.kind).toBe('skippedOther');
    expect(o.reason).toMatch(/already match/);
  });

  it('is processed on Success, failed on Failure', () => {
    expect(
      pod(
        onDemandAnswer('Success', [
          { name: 'EntryExportUpdate', type: 'Export', status: 'Success', description: 'Updated contact' },
        ]),
      ).kind,
    ).toBe('processed');
    const f = pod(onDemandAnswer('Failure', [], { errorCode: 'AgentUnavailable', errorMessage: 'No agent responded' }));
    expect(f.kind).toBe('failed');
    expect(f.reason).toBe('AgentUnavailable');
  });

  it('says unknown for a result it does not know, instead of guessing', () => {
    expect(pod(onDemandAnswer('Pending', [])).kind).toBe('unknown');
  });
});

describe('a provisioning-log entry', () => {
  it.each(SOA_SKIP_VARIANTS)('is the SOA skip with status skipped and reason "%s"', (text) => {
    expect(outcomeOfLogEntry(entry({ id: 'e', at: 't', jobId: 'j', status: 'skipped', reason: text })).kind).toBe(
      'soaSkipped',
    );
  });

  it('reads the reason from a skipped step when errorInformation is empty', () => {
    const e = entry({
      id: 'e',
      at: 't',
      jobId: 'j',
      status: 'skipped',
      steps: [
        {
          name: 'EntrySynchronizationSkip',
          provisioningStepType: 'export',
          status: 'skipped',
          description: 'As the SOA of this contact is in the cloud, this object will not sync.',
        },
      ],
    });
    expect(outcomeOfLogEntry(e)).toMatchObject({ kind: 'soaSkipped', entryId: 'e', cycleId: 'cycle-1' });
  });

  it('is skippedOther for a scoping skip, processed for success/warning, failed for failure', () => {
    expect(
      outcomeOfLogEntry(entry({ id: 'e', at: 't', jobId: 'j', status: 'skipped', reason: 'Out of scope' })).kind,
    ).toBe('skippedOther');
    expect(outcomeOfLogEntry(entry({ id: 'e', at: 't', jobId: 'j', status: 'success' })).kind).toBe('processed');
    expect(outcomeOfLogEntry(entry({ id: 'e', at: 't', jobId: 'j', status: 'warning' })).kind).toBe('processed');
    expect(outcomeOfLogEntry(entry({ id: 'e', at: 't', jobId: 'j', status: 'failure', reason: 'boom' })).kind).toBe(
      'failed',
    );
  });
});

describe('matching a log entry to an object (the identity is undocumented: every plausible place)', () => {
  const dn = 'CN=Ann,OU=Contacts,DC=fabrikam,DC=local';
  it('matches by the Entra object id in targetIdentity', () => {
    expect(
      entryMatches(entry({ id: 'e', at: 't', jobId: 'j', status: 'success', targetId: 'ABC' }), { entraId: 'abc' }),
    ).toBe(true);
  });
  it('matches by the DN as sourceIdentity.id (spacing and case ignored)', () => {
    expect(
      entryMatches(
        entry({
          id: 'e',
          at: 't',
          jobId: 'j',
          status: 'success',
          sourceId: 'cn=ann, ou=contacts, dc=fabrikam, dc=local',
        }),
        { dn },
      ),
    ).toBe(true);
  });
  it('matches by a distinguishedName detail (object bag or key/value list)', () => {
    expect(
      entryMatches(entry({ id: 'e', at: 't', jobId: 'j', status: 'success', sourceId: 'guid-1', dn }), { dn }),
    ).toBe(true);
    const kv = entry({
      id: 'e',
      at: 't',
      jobId: 'j',
      status: 'success',
      sourceId: 'guid-1',
      steps: [
        {
          name: 'EntryImport',
          provisioningStepType: 'import',
          status: 'success',
          description: 'x',
          details: [{ key: 'distinguishedName', value: dn }] as unknown as Record<string, unknown>,
        },
      ],
    });
    expect(entryMatches(kv, { dn })).toBe(true);
  });
  it('does not match another object', () => {
    const e = entry({
      id: 'e',
      at: 't',
      jobId: 'j',
      status: 'success',
      targetId: 'other',
      sourceId: 'CN=Bob,DC=fabrikam,DC=local',
      dn: 'CN=Bob,DC=fabrikam,DC=local',
    });
    expect(entryMatches(e, { entraId: 'abc', dn })).toBe(false);
    expect(entryMatches(e, {})).toBe(false);
  });
});

/**
 * Typed Connect Sync operations over the PowerShell bridge. Each maps to one script in
 * resources/powershell/ and returns exactly the contract's output shape.
 */
import { z } from 'zod';
import { contract, type OpOutput, type OpParsedInput } from '../ipc/contract';
import { OperationError } from '../ipc/errors';
import type { PowerShellSession } from '../powershell/session';
import { SyncCycleRunner, defaultCycleTiming, type CycleContext, type CycleTiming } from './sync-cycle';
import { PickedOnPremObject } from './picked-onprem-object';

const touchResult = z.object({
  dn: z.string(),
  attribute: contract['server.touchOnPremObject'].output.shape.attribute,
  attributeSource: z.enum(['syncRules', 'defaultList', 'restore']),
  attributeReason: z.string(),
  oldDescription: z.string().nullable(),
  newDescription: z.string().nullable(),
});
const eventsResult = z.object({
  events: z
    .array(contract['server.events6956'].output.shape.events.element)
    .nullable()
    .transform((e) => e ?? []),
  provider: z.string().nullable(),
});
const findResult = z.object({
  matches: z
    .array(contract['server.findOnPremContact'].output.shape.matches.element)
    .nullable()
    .transform((m) => m ?? []),
  via: z.enum(['activeDirectory', 'connectorSpace']),
});

const traceBatchResult = z.object({
  traces: z
    .array(contract['server.traceObjects'].output.shape.traces.element)
    .nullable()
    .transform((t) => t ?? []),
  failures: z
    .array(contract['server.traceObjects'].output.shape.failures.element)
    .nullable()
    .transform((f) => f ?? []),
});
const findBatchResult = z.object({
  results: z
    .array(
      z.object({
        key: z.string(),
        matches: z
          .array(contract['server.findOnPremContact'].output.shape.matches.element)
          .nullable()
          .transform((m) => m ?? []),
      }),
    )
    .nullable()
    .transform((r) => r ?? []),
  via: z.literal('activeDirectory'),
});
/** Extra time a batched call gets per object, on top of the per-call timeout (ms): generous, because a timeout kills the shell (a 500-DN trace took minutes in the loaded lab). */
const TRACE_MS_PER_OBJECT = 1_000;
const LOOKUP_MS_PER_OBJECT = 100;

/** PowerShell serialises an empty array inside a hashtable as [] but 5.1 may give null; normalise. */
const environmentResult = contract['server.environment'].output;

export interface ConnectSyncOptions {
  timing?: Partial<CycleTiming>;
  /** Event 6956 provider filter (empty = any); read on every call. */
  event6956Provider?: () => string;
}

export class ConnectSync {
  readonly cycles: SyncCycleRunner;
  /** The one on-premises object this run may change (resolved by the server operations below). */
  readonly picked = new PickedOnPremObject();
  private readonly timing: CycleTiming;

  constructor(
    private readonly ps: PowerShellSession,
    private readonly options: ConnectSyncOptions = {},
  ) {
    this.timing = { ...defaultCycleTiming, ...options.timing };
    this.cycles = new SyncCycleRunner(ps, this.timing);
  }

  private call<T>(
    script: Parameters<PowerShellSession['run']>[0],
    args: Record<string, unknown>,
    schema: z.ZodType<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.ps.run(script, args, schema, { timeoutMs: this.timing.callTimeoutMs, signal });
  }

  environment(signal?: AbortSignal): Promise<OpOutput<'server.environment'>> {
    return this.call('Get-SoaEnvironment', {}, environmentResult, signal);
  }

  /** The AD connectors and their selected partitions (engine detection: which DNs Connect Sync syncs). */
  adConnectors(signal?: AbortSignal): Promise<OpOutput<'server.adConnectors'>> {
    return this.call('Get-SoaAdConnectorPartitions', {}, contract['server.adConnectors'].output, signal);
  }

  scheduler(signal?: AbortSignal): Promise<OpOutput<'server.scheduler'>> {
    return this.call('Get-SoaScheduler', {}, contract['server.scheduler'].output, signal);
  }

  startSyncCycle(
    input: OpParsedInput<'server.startSyncCycle'>,
    signal?: AbortSignal,
  ): Promise<OpOutput<'server.startSyncCycle'>> {
    return this.cycles.start(input.policyType, signal);
  }

  runSyncCycle(
    input: OpParsedInput<'server.runSyncCycle'>,
    ctx: CycleContext,
  ): Promise<OpOutput<'server.runSyncCycle'>> {
    return this.cycles.run(input, ctx);
  }

  waitForSyncCycle(
    input: OpParsedInput<'server.waitForSyncCycle'>,
    ctx: CycleContext,
  ): Promise<OpOutput<'server.waitForSyncCycle'>> {
    return this.cycles.wait(input, ctx);
  }

  async traceObject(
    input: OpParsedInput<'server.traceObject'>,
    signal?: AbortSignal,
  ): Promise<OpOutput<'server.traceObject'>> {
    const r = await this.call(
      'Get-SoaObjectTrace',
      { DistinguishedName: input.dn, ...(input.since ? { Since: input.since } : {}) },
      contract['server.traceObject'].output,
      signal,
    );
    if (r.status !== 'unknownDn') await this.pickTraced(input.dn, signal);
    return r;
  }

  /**
   * Many traces in one PowerShell call (a bulk follow-up). Unlike `traceObject` it picks nothing:
   * bulk runs never change an AD object.
   */
  traceObjects(
    input: OpParsedInput<'server.traceObjects'>,
    signal?: AbortSignal,
  ): Promise<OpOutput<'server.traceObjects'>> {
    return this.ps.run(
      'Get-SoaObjectTrace',
      {
        DistinguishedNames: input.dns,
        ...(input.since ? { Since: input.since } : {}),
        ...(input.summary ? { Summary: true } : {}),
      },
      traceBatchResult,
      { timeoutMs: this.timing.callTimeoutMs + input.dns.length * TRACE_MS_PER_OBJECT, signal },
    );
  }

  /** Many contact lookups in one PowerShell call (mail first, then display name, as `findOnPremContact`). */
  findOnPremContacts(
    input: OpParsedInput<'server.findOnPremContacts'>,
    signal?: AbortSignal,
  ): Promise<OpOutput<'server.findOnPremContacts'>> {
    const queries = input.queries.map((q) => ({
      key: q.key,
      ...(q.mail ? { mail: q.mail } : {}),
      ...(q.displayName ? { displayName: q.displayName } : {}),
    }));
    const domains = input.domains && input.domains.length > 0 ? { Domains: input.domains } : {};
    return this.ps.run('Find-SoaOnPremContact', { Queries: queries, ...domains }, findBatchResult, {
      timeoutMs: this.timing.callTimeoutMs + input.queries.length * LOOKUP_MS_PER_OBJECT,
      signal,
    });
  }

  /**
   * The run traced this DN: pick it. A DN not looked up in this process (the app restarted mid-run)
   * is resolved by the contact lookup first, so only a contact the server itself returns is picked.
   */
  private async pickTraced(dn: string, signal?: AbortSignal): Promise<void> {
    if (!this.picked.isResolved(dn)) {
      try {
        await this.findOnPremContact({ dn }, signal);
      } catch {
        return; // no AD module or no such contact: nothing is picked, touch stays refused
      }
    }
    this.picked.pickIfResolved(dn);
  }

  async findOnPremContact(
    input: OpParsedInput<'server.findOnPremContact'>,
    signal?: AbortSignal,
  ): Promise<OpOutput<'server.findOnPremContact'>> {
    if (!input.mail && !input.displayName && !input.dn) {
      throw new OperationError('validation', 'Give a mail address, a display name or a DN.');
    }
    const args: Record<string, unknown> = {};
    if (input.mail) args.Mail = input.mail;
    if (input.displayName) args.DisplayName = input.displayName;
    if (input.dn) args.DistinguishedName = input.dn;
    if (input.domains && input.domains.length > 0) args.Domains = input.domains;
    const r = await this.call('Find-SoaOnPremContact', args, findResult, signal);
    this.picked.recordContacts(r.matches);
    return r;
  }

  async events6956(
    input: OpParsedInput<'server.events6956'>,
    signal?: AbortSignal,
  ): Promise<OpOutput<'server.events6956'>> {
    const args: Record<string, unknown> = { Since: input.since, MaxEvents: input.maxEvents };
    if (input.dn) args.DistinguishedName = input.dn;
    if (input.dns && input.dns.length > 0) args.DistinguishedNames = input.dns;
    const provider = this.options.event6956Provider?.() ?? '';
    if (provider) args.ProviderName = provider;
    return this.call('Get-SoaEvent6956', args, eventsResult, signal);
  }

  async touchOnPremObject(
    input: OpParsedInput<'server.touchOnPremObject'>,
    signal?: AbortSignal,
  ): Promise<OpOutput<'server.touchOnPremObject'>> {
    if (input.confirm !== true)
      throw new OperationError('refused', 'Changing an AD object needs explicit confirmation.');
    if (input.description === '')
      throw new OperationError('validation', 'Give the new description (use restore to clear it).');
    const target = this.picked.require(input.dn);
    const r = await this.call(
      'Set-SoaOnPremDescription',
      {
        DistinguishedName: target.dn,
        ObjectGuid: target.objectGuid,
        ObjectClass: target.objectClass,
        Description: input.description,
        ...(input.attribute ? { Attribute: input.attribute } : {}),
        Confirmed: true,
      },
      touchResult,
      signal,
    );
    if (r.attributeSource === 'restore') throw new OperationError('internal', 'The probe reported a restore.');
    return {
      dn: r.dn,
      attribute: r.attribute,
      attributeSource: r.attributeSource,
      attributeReason: r.attributeReason,
      oldDescription: r.oldDescription,
      newDescription: r.newDescription ?? input.description,
    };
  }

  async restoreOnPremObject(
    input: OpParsedInput<'server.restoreOnPremObject'>,
    signal?: AbortSignal,
  ): Promise<OpOutput<'server.restoreOnPremObject'>> {
    if (input.confirm !== true)
      throw new OperationError('refused', 'Changing an AD object needs explicit confirmation.');
    const target = this.picked.require(input.dn);
    const r = await this.call(
      'Set-SoaOnPremDescription',
      {
        DistinguishedName: target.dn,
        ObjectGuid: target.objectGuid,
        ObjectClass: target.objectClass,
        Description: input.description,
        Attribute: input.attribute ?? 'description',
        Restore: true,
        Confirmed: true,
      },
      touchResult,
      signal,
    );
    return { dn: r.dn, attribute: r.attribute, description: r.newDescription };
  }
}

/**
 * `npm run bench -- server`: the server side of a 2,000-contact bulk follow-up against the lab with real
 * pwsh. Batched (the app's way): the contacts' DNs found in AD and their traces read in one PowerShell
 * call per batch (`findContactDns`, `server.traceObjects`), plus one Event 6956 sweep. Per object (the
 * old way): one lookup call and one trace call for each contact, measured on a sample and scaled to the
 * whole set. Prints PowerShell calls and time for both (batched: lookup, trace and sweep seconds apart;
 * per object: lookup and trace seconds apart) and the ratios against the targets (≤ 10 calls, ≥ 10×
 * faster). The sync cycle itself is the same for both and is left out.
 *
 * Both ways first get the same warm-up outside the measurements (a batch of 20 and one object), as an app's
 * long-lived PowerShell session has: PowerShell compiles a script's functions only after their first calls,
 * and the lab loads its compiled typing with its first large response (src-main/lab/onprem/README.md).
 * The batched work is measured twice: round 1 (before the per-object sample; its ratio is the verdict) and
 * round 2 (after it: the steady state of a long-lived session). Wall-time and CPU ratios are both printed, with
 * the load average before and after (wall time suffers first on a busy machine).
 *
 * Round 1 pays most of pwsh 7's .NET tiered JIT (the runtime recompiles hot engine code in the background):
 * with DOTNET_TieredCompilation=0 in the environment (passed on to pwsh) both rounds cost the same. Windows
 * PowerShell 5.1, the app's host on a real server, runs on .NET Framework, which has no tiered JIT.
 *
 * Env: SOA_BENCH_SERVER_OBJECTS (default 2000), SOA_BENCH_SERVER_SAMPLE (per-object sample, default 100; a smaller
 * sample costs more per object, its first calls being colder), SOA_BENCH_SERVER_WARMUP=0 (no warm-up: the batched
 * side, measured first, then pays it); DOTNET_* settings reach pwsh, and the JIT and GC ones are printed.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { z } from 'zod';
import { startLab } from '../../src-main/lab/index';
import { PowerShellSession } from '../../src-main/powershell/session';
import { labPowerShellConfig } from '../../src-main/powershell/lab-config';
import { ConnectSync } from '../../src-main/sync/connect-sync';
import {
  LOOKUP_BATCH_SIZE,
  TRACE_BATCH_SIZE,
  batchesOf,
  findContactDns,
} from '../../src-renderer/lib/soa/bulk/server-follow-up';

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
};
/** CPU seconds of a process so far (user + system, from /proc; Linux only), or undefined. */
function procCpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}
/** CPU seconds used by PowerShell and by this process (the lab and the bridge) since `from`. */
function cpuSince(
  ps: PowerShellSession,
  from: { pwsh: number | undefined; node: NodeJS.CpuUsage },
): { pwsh: number | undefined; node: number } {
  const now = procCpuSeconds(ps.pid);
  const node = process.cpuUsage(from.node);
  return {
    pwsh: now !== undefined && from.pwsh !== undefined ? now - from.pwsh : undefined,
    node: (node.user + node.system) / 1e6,
  };
}
const cpuMark = (ps: PowerShellSession) => ({ pwsh: procCpuSeconds(ps.pid), node: process.cpuUsage() });
const cpuText = (c: { pwsh: number | undefined; node: number }): string =>
  `cpu: pwsh ${c.pwsh === undefined ? 'n/a' : `${c.pwsh.toFixed(1)} s`}, node (lab + bridge) ${c.node.toFixed(1)} s`;
const verdict = (ok: boolean): string => (ok ? 'meets target' : 'MISSES target');
const adContact = z.object({
  DistinguishedName: z.string(),
  displayName: z.string().nullable(),
  mail: z.string().nullable(),
});

export async function runServerBench(): Promise<void> {
  const n = num('SOA_BENCH_SERVER_OBJECTS', 2000);
  const sample = Math.min(n, num('SOA_BENCH_SERVER_SAMPLE', 100));
  console.log(`# Server-call benchmark (${n}-contact bulk follow-up; per-object calls measured on ${sample})`);
  const lab = await startLab({ seed: 11, speed: 'fast', contacts: n });
  const ps = new PowerShellSession({ ...labPowerShellConfig(lab.info), defaultTimeoutMs: 600_000 });
  const sync = new ConnectSync(ps, { timing: { callTimeoutMs: 600_000 } });
  try {
    const listed = await lab.control('GET', '/onprem/ad/objects?LDAPFilter=(objectClass%3Dcontact)');
    const contacts = z
      .object({ value: z.array(adContact.passthrough()) })
      .parse(listed.body)
      .value.slice(0, n);
    if (contacts.length < n) throw new Error(`the lab seeded only ${contacts.length} contacts`);
    const objects = contacts.map((c, i) => ({
      objectId: `o${i}`,
      mail: c.mail,
      ...(c.displayName ? { displayName: c.displayName } : {}),
    }));
    await sync.scheduler(); // start the shell outside the measurements
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const warmUp = process.env.SOA_BENCH_SERVER_WARMUP !== '0';
    if (warmUp) {
      const few = objects.slice(0, Math.min(20, n));
      const w = await findContactDns((input) => sync.findOnPremContacts(input), few);
      await sync.traceObjects({ dns: w.found.map((x) => x.dn), since, summary: true });
      await sync.events6956({ since, dns: w.found.map((x) => x.dn), maxEvents: 5000 });
      const one = few[0];
      if (one) {
        const r = await sync.findOnPremContact(one.mail ? { mail: one.mail } : { displayName: one.displayName ?? '' });
        const dn = r.matches[0]?.distinguishedName;
        if (dn) await sync.traceObject({ dn, since });
      }
    }

    // Batched: lookups, traces and one 6956 sweep.
    const measureBatched = async () => {
      const calls0 = ps.callCount;
      const cpu0 = cpuMark(ps);
      const t0 = performance.now();
      const { found, missing } = await findContactDns((input) => sync.findOnPremContacts(input), objects);
      const lookupCalls = ps.callCount - calls0;
      const tLookup = performance.now();
      let traced = 0;
      for (const batch of batchesOf(found, TRACE_BATCH_SIZE)) {
        const r = await sync.traceObjects({ dns: batch.map((x) => x.dn), since, summary: true });
        traced += r.traces.length;
      }
      const traceCalls = ps.callCount - calls0 - lookupCalls;
      const tTrace = performance.now();
      await sync.events6956({ since, dns: found.map((x) => x.dn), maxEvents: 5000 });
      const tSweep = performance.now();
      return {
        found,
        missing,
        traced,
        lookupCalls,
        traceCalls,
        calls: ps.callCount - calls0,
        cpu: cpuSince(ps, cpu0),
        seconds: (tSweep - t0) / 1000,
        split: `lookup ${((tLookup - t0) / 1000).toFixed(1)} s, trace ${((tTrace - tLookup) / 1000).toFixed(1)} s, sweep ${((tSweep - tTrace) / 1000).toFixed(1)} s`,
      };
    };
    const load0 = loadavg();
    const first = await measureBatched();
    const { found, missing, traced, lookupCalls, traceCalls } = first;
    const batchedCalls = first.calls;
    const batchedCpu = first.cpu;
    const batchedSeconds = first.seconds;
    const split = first.split;

    // Per object: one lookup (by mail) and one trace per contact, on the sample.
    const calls1 = ps.callCount;
    const cpu1 = cpuMark(ps);
    const t1 = performance.now();
    let lookupMs = 0;
    for (const o of objects.slice(0, sample)) {
      const tl = performance.now();
      const r = await sync.findOnPremContact(o.mail ? { mail: o.mail } : { displayName: o.displayName ?? '' });
      lookupMs += performance.now() - tl;
      const dn = r.matches[0]?.distinguishedName;
      if (dn) await sync.traceObject({ dn, since });
    }
    const sampleCalls = ps.callCount - calls1;
    const sampleSeconds = (performance.now() - t1) / 1000;
    const sampleCpu = cpuSince(ps, cpu1);
    const sampleLookupSeconds = lookupMs / 1000;
    const perObjectCalls = Math.round((sampleCalls / sample) * n) + 1; // + the one 6956 sweep
    const perObjectSeconds = (sampleSeconds / sample) * n;

    // The same batched work again: the first round is what an app session's first follow-up pays; the second
    // shows the steady state of a long-lived PowerShell session (its functions compiled, the lab's code warm).
    const second = await measureBatched();
    const load1 = loadavg();

    const total = (c: { pwsh: number | undefined; node: number }): number | undefined =>
      c.pwsh === undefined ? undefined : c.pwsh + c.node;
    const sampleCpuTotal = total(sampleCpu);
    const cpuRatioOf = (c: { pwsh: number | undefined; node: number }): number | undefined => {
      const b = total(c);
      return b !== undefined && sampleCpuTotal !== undefined && b > 0 ? ((sampleCpuTotal / sample) * n) / b : undefined;
    };
    const cpuRatio = cpuRatioOf(batchedCpu);
    const cpuRatio2 = cpuRatioOf(second.cpu);
    const callRatio = perObjectCalls / batchedCalls;
    const timeRatio = perObjectSeconds / batchedSeconds;
    const timeRatio2 = perObjectSeconds / second.seconds;
    const ratioText = (r: number | undefined): string => (r === undefined ? 'n/a' : `${r.toFixed(1)}x`);
    console.log(
      `load (1-min average): ${load0[0]?.toFixed(1) ?? '?'} before, ${load1[0]?.toFixed(1) ?? '?'} after, on ${cpus().length} CPUs (wall time suffers first when the machine is busy)`,
    );
    const runtime = Object.entries(process.env)
      .filter(([k]) => /^DOTNET_(Tiered|TC_|ReadyToRun|OSR|JitStress|gc)/i.test(k))
      .map(([k, v]) => `${k}=${v ?? ''}`);
    console.log(`pwsh runtime settings: ${runtime.length > 0 ? runtime.join(' ') : 'defaults'}`);
    console.log(
      `warm-up: ${warmUp ? 'a batch of 20 and one object, both ways, before measuring; then batched round 1, the per-object sample, batched round 2' : 'none (batched round 1 pays the warm-up)'}`,
    );
    console.log(
      `found ${found.length} of ${n} contacts in AD (${missing.length} missing), traced ${traced}; batches of ${LOOKUP_BATCH_SIZE} lookups, ${TRACE_BATCH_SIZE} traces`,
    );
    console.log(
      `batched          ${batchedCalls} PowerShell calls (${lookupCalls} lookup, ${traceCalls} trace, 1 sweep) in ${batchedSeconds.toFixed(1)} s (${split})   (target <= 10 calls: ${verdict(batchedCalls <= 10)})`,
    );
    console.log(
      `per object       ${sampleCalls} calls in ${sampleSeconds.toFixed(1)} s for ${sample} contacts (lookup ${sampleLookupSeconds.toFixed(1)} s, trace ${(sampleSeconds - sampleLookupSeconds).toFixed(1)} s) -> ${perObjectCalls} calls, ${perObjectSeconds.toFixed(1)} s for ${n} (scaled)`,
    );
    console.log(
      `batched round 2  ${second.calls} PowerShell calls in ${second.seconds.toFixed(1)} s (${second.split})`,
    );
    console.log(`  batched        ${cpuText(batchedCpu)}`);
    console.log(`  batched 2      ${cpuText(second.cpu)}`);
    console.log(`  per object     ${cpuText(sampleCpu)} for ${sample} contacts`);
    console.log(`ratio (calls)    ${callRatio.toFixed(0)}x fewer PowerShell calls`);
    console.log(
      `ratio (time)     ${timeRatio.toFixed(1)}x faster batched, round 1   (target >= 10x: ${verdict(timeRatio >= 10)}); round 2: ${timeRatio2.toFixed(1)}x`,
    );
    console.log(
      `ratio (cpu)      ${ratioText(cpuRatio)} less CPU batched (pwsh + node, per-object scaled), round 1   (target >= 10x: ${cpuRatio === undefined ? 'n/a' : verdict(cpuRatio >= 10)}); round 2: ${ratioText(cpuRatio2)}`,
    );
  } finally {
    await ps.dispose();
    await lab.close();
  }
}

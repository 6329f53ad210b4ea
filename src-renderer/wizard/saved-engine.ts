/**
 * The engine step's result as saved with a wizard run, and back: a resumed run goes on with the engine its pick step
 * detected (with the evidence recorded then) instead of detecting it again; only a run saved without it detects it
 * again. The Cloud Sync job's run state in the saved configuration is what detection saw; each Cloud Sync proof
 * reads the job again before it waits (docs/reference/cloud-sync.md#pause-start-and-restart).
 */
import type { SavedSyncEngine } from '@contract';
import type { CloudSyncContext, CloudSyncTuning } from '../lib/soa/cloud-sync-proof';
import type { EngineRoute } from '../lib/soa/sync-engine';

/** What is saved: the route, and the Cloud Sync rule when the object is on Cloud Sync. */
export function savedEngineOf(route: EngineRoute, context: CloudSyncContext | null): SavedSyncEngine {
  return {
    route: {
      engine: route.engine,
      domain: route.domain,
      cloudSync: route.cloudSync ? { ...route.cloudSync } : null,
      connectSync: route.connectSync ? { ...route.connectSync } : null,
      basis: [...route.basis],
    },
    rule: context?.rule
      ? {
          ruleId: context.rule.ruleId,
          objectTypeName: context.rule.objectTypeName,
          objectTypeNames: [...context.rule.objectTypeNames],
          mappedTypes: [...context.rule.mappedTypes],
        }
      : null,
  };
}

/**
 * The route and Cloud Sync context of a saved run; null when the run was saved without an engine or without an
 * object DN (the engine is then detected again when a step needs it). The context exists only for a Cloud Sync route
 * with its configuration (as detection builds it); it takes this session's request windows and tuning.
 */
export function restoredEngine(
  saved: { engine?: SavedSyncEngine | undefined; object: { dn: string | null } | null },
  windows: CloudSyncContext['windows'],
  tuning: CloudSyncTuning,
): { route: EngineRoute; context: CloudSyncContext | null } | null {
  const s = saved.engine;
  if (!s || !saved.object?.dn) return null;
  const route: EngineRoute = {
    engine: s.route.engine,
    domain: s.route.domain,
    cloudSync: s.route.cloudSync ? { ...s.route.cloudSync } : null,
    connectSync: s.route.connectSync ? { ...s.route.connectSync } : null,
    basis: [...s.route.basis],
  };
  const context: CloudSyncContext | null =
    route.engine === 'cloudSync' && route.cloudSync
      ? {
          configuration: route.cloudSync,
          rule: s.rule ? { ...s.rule } : null,
          windows,
          tuning,
        }
      : null;
  return { route, context };
}

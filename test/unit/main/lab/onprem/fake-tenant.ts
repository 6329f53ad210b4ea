/**
 * A small, real in-memory tenant behind `TenantSyncPort` for the on-prem tests: it follows the SOA
 * state table (synced; transferred = cloud-managed; rolled back = not cloud-managed, not synced).
 */
import type {
  CloudSyncView,
  ExportedAttributes,
  ExportOutcome,
  SyncedKind,
  TenantSyncPort,
} from '../../../../../src-main/lab/ports.js';

export interface FakeCloudObject {
  id: string;
  kind: SyncedKind;
  anchor: string;
  isCloudManaged: boolean;
  onPremisesSyncEnabled: boolean | null;
  attrs: ExportedAttributes;
}

export class FakeTenant implements TenantSyncPort {
  readonly objects = new Map<string, FakeCloudObject>();
  readonly writes: { anchor: string; attrs: ExportedAttributes }[] = [];

  add(o: FakeCloudObject): void {
    this.objects.set(`${o.kind}:${o.anchor}`, o);
  }

  get(kind: SyncedKind, anchor: string): FakeCloudObject {
    const o = this.objects.get(`${kind}:${anchor}`);
    if (!o) throw new Error(`no cloud object ${anchor}`);
    return o;
  }

  transfer(kind: SyncedKind, anchor: string): void {
    const o = this.get(kind, anchor);
    o.isCloudManaged = true;
    o.onPremisesSyncEnabled = null;
  }

  rollback(kind: SyncedKind, anchor: string): void {
    const o = this.get(kind, anchor);
    o.isCloudManaged = false;
    o.onPremisesSyncEnabled = null;
  }

  viewByAnchor(kind: SyncedKind, anchor: string): CloudSyncView | undefined {
    const o = this.objects.get(`${kind}:${anchor}`);
    if (!o) return undefined;
    return {
      id: o.id,
      kind: o.kind,
      anchor: o.anchor,
      isCloudManaged: o.isCloudManaged,
      onPremisesSyncEnabled: o.onPremisesSyncEnabled,
      displayName: o.attrs.displayName,
    };
  }

  exportUpdate(kind: SyncedKind, anchor: string, attrs: ExportedAttributes): ExportOutcome {
    const o = this.objects.get(`${kind}:${anchor}`);
    if (!o) return { status: 'notFound' };
    if (o.isCloudManaged) return { status: 'blocked', id: o.id };
    if (o.onPremisesSyncEnabled !== true) return { status: 'takeoverPending', id: o.id };
    o.attrs = { ...attrs };
    this.writes.push({ anchor, attrs: { ...attrs } });
    return { status: 'applied', id: o.id };
  }

  confirmTakeover(kind: SyncedKind, anchor: string, attrs: ExportedAttributes): ExportOutcome {
    const o = this.objects.get(`${kind}:${anchor}`);
    if (!o) return { status: 'notFound' };
    if (o.isCloudManaged) return { status: 'blocked', id: o.id };
    o.onPremisesSyncEnabled = true;
    o.attrs = { ...attrs };
    this.writes.push({ anchor, attrs: { ...attrs } });
    return { status: 'applied', id: o.id };
  }
}

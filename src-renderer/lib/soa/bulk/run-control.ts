/** Pause and cancel take effect at batch boundaries (in-flight batches always complete). */
export class RunControl {
  private pausedFlag = false;
  private cancelledFlag = false;
  private listeners = new Set<() => void>();

  get paused(): boolean {
    return this.pausedFlag;
  }
  get cancelled(): boolean {
    return this.cancelledFlag;
  }
  pause(): void {
    this.pausedFlag = true;
    this.notify();
  }
  resume(): void {
    this.pausedFlag = false;
    this.notify();
  }
  cancel(): void {
    this.cancelledFlag = true;
    this.notify();
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private notify(): void {
    for (const l of this.listeners) l();
  }
}

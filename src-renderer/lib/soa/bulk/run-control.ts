/** Why the run paused on its own (a pause by the admin has no reason). */
export interface PauseReason {
  /** the token for the next batch needs an interactive sign-in (refresh token revoked or expired) */
  kind: 'signIn';
  message: string;
}

/** Pause and cancel take effect at batch boundaries (in-flight batches always complete). */
export class RunControl {
  private pausedFlag = false;
  private reason: PauseReason | undefined;
  private cancelledFlag = false;
  private listeners = new Set<() => void>();

  get paused(): boolean {
    return this.pausedFlag;
  }
  get cancelled(): boolean {
    return this.cancelledFlag;
  }
  /** Why the run paused itself, until it is resumed. */
  get pauseReason(): PauseReason | undefined {
    return this.reason;
  }
  pause(reason?: PauseReason): void {
    this.pausedFlag = true;
    if (reason) this.reason = reason;
    this.notify();
  }
  resume(): void {
    this.pausedFlag = false;
    this.reason = undefined;
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

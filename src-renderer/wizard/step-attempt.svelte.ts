/** One attempt at a read-only step: whether it is running, and why it could not run (if it threw). */
export class StepAttempt {
  running = $state(false);
  crash = $state<string | undefined>();

  async run(body: () => Promise<void>): Promise<void> {
    this.running = true;
    this.crash = undefined;
    try {
      await body();
    } catch (e) {
      this.crash = e instanceof Error ? e.message : String(e);
    } finally {
      this.running = false;
    }
  }
}

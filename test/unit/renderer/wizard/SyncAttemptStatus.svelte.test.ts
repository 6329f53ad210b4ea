/// <reference lib="dom" />
/**
 * The sync steps' shared attempt status (both engines): the wait, "Stopped waiting." and the failure bar, each with
 * the retry and the optional "Continue anyway". Mounted in a DOM (happy-dom), driven through a real SyncStepAttempt.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRawSnippet, flushSync, mount, unmount } from 'svelte';
import SyncAttemptStatus from '../../../../src-renderer/wizard/SyncAttemptStatus.svelte';
import { SyncStepAttempt } from '../../../../src-renderer/wizard/step-attempt.svelte';
import { CancelledError } from '../../../../src-renderer/lib/soa/ports';

const wait = createRawSnippet(() => ({ render: () => '<p data-testid="the-wait">waiting</p>' }));
let shown: ReturnType<typeof mount> | undefined;

afterEach(() => {
  if (shown) void unmount(shown);
  shown = undefined;
  document.body.innerHTML = '';
});

function show(
  attempt: SyncStepAttempt<number>,
  props: {
    failure?: { title: string; fix: string; kind?: 'error' | 'warning' };
    onContinue?: () => void;
  } = {},
): { onRetry: ReturnType<typeof vi.fn> } {
  const onRetry = vi.fn();
  shown = mount(SyncAttemptStatus, {
    target: document.body,
    props: { attempt, wait, retryLabel: 'Run again', onRetry, ...props },
  });
  flushSync();
  return { onRetry };
}

const byTestId = (id: string): Element | null => document.querySelector(`[data-testid="${id}"]`);
const buttons = (): string[] => [...document.querySelectorAll('button')].map((b) => b.textContent?.trim() ?? '');
const button = (label: string): HTMLButtonElement | undefined =>
  [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === label);

/** Runs the attempt with a body that ends as `end` says; resolves once the attempt is over. */
async function runTo(attempt: SyncStepAttempt<number>, end: () => Promise<string | undefined>): Promise<void> {
  await attempt.run(end);
  flushSync();
}

describe('SyncAttemptStatus', () => {
  it('shows the step’s wait while the attempt runs, and nothing once it passed', async () => {
    const attempt = new SyncStepAttempt<number>();
    show(attempt, { failure: { title: 'No block.', fix: 'Run again.' } });
    expect(byTestId('the-wait')).toBeNull();
    let finish: (v: string | undefined) => void = () => undefined;
    const running = attempt.run(() => new Promise((r) => (finish = r)));
    flushSync();
    expect(byTestId('the-wait')?.textContent).toBe('waiting');
    finish(undefined);
    await running;
    flushSync();
    expect(byTestId('the-wait')).toBeNull();
    expect(document.querySelector('.message-bar')).toBeNull();
    expect(buttons()).toEqual([]);
  });

  it('says "Stopped waiting." (info, not a failure) with the retry; "Continue anyway" only when the step allows it', async () => {
    const attempt = new SyncStepAttempt<number>();
    const { onRetry } = show(attempt, { failure: { title: 'No block.', fix: 'Run again.' } });
    await runTo(attempt, () => Promise.reject(new CancelledError('The cycle keeps running on the server.')));
    expect(byTestId('message-info')?.textContent).toContain('Stopped waiting.');
    expect(byTestId('message-info')?.textContent).toContain('The cycle keeps running on the server.');
    expect(byTestId('message-error')).toBeNull();
    expect(buttons()).toEqual(['Run again']);
    button('Run again')?.click();
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('offers "Continue anyway" after a stop when given one, and it calls it', async () => {
    const attempt = new SyncStepAttempt<number>();
    const onContinue = vi.fn();
    const { onRetry } = show(attempt, { onContinue });
    await runTo(attempt, () => Promise.reject(new CancelledError('stopped')));
    expect(buttons()).toEqual(['Run again', 'Continue anyway']);
    button('Continue anyway')?.click();
    expect(onContinue).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('shows the step’s failure bar with its title, the observed failure and the fix, in the kind asked for', async () => {
    const attempt = new SyncStepAttempt<number>();
    show(attempt, { failure: { title: 'Cloud Sync did not show the SOA skip.', fix: 'Ask again.', kind: 'warning' } });
    await runTo(attempt, () => Promise.resolve('no provisioning-log entry'));
    const bar = byTestId('message-warning');
    expect(bar?.textContent).toContain('Cloud Sync did not show the SOA skip.');
    expect(bar?.textContent).toContain('no provisioning-log entry');
    expect(bar?.textContent).toContain('Ask again.');
    expect(byTestId('message-error')).toBeNull();
    expect(byTestId('message-info')).toBeNull();
    expect(buttons()).toEqual(['Run again']);
  });

  it('shows a failure as an error by default, and a thrown error as the failure', async () => {
    const attempt = new SyncStepAttempt<number>();
    show(attempt, { failure: { title: 'No block.', fix: 'Run again.' } });
    await runTo(attempt, () => Promise.reject(new Error('pwsh exited')));
    expect(byTestId('message-error')?.textContent).toContain('pwsh exited');
  });

  it('leaves the failure to the step when no failure bar is given', async () => {
    const attempt = new SyncStepAttempt<number>();
    show(attempt);
    await runTo(attempt, () => Promise.resolve('the takeover did not finish'));
    expect(attempt.failure).toBe('the takeover did not finish');
    expect(document.querySelector('.message-bar')).toBeNull();
    expect(buttons()).toEqual([]);
  });
});

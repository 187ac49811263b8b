import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { latestOnly } from './latestOnly';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('latestOnly', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('debounces: fast typing sends one request with the last text', async () => {
    const run = vi.fn((q: string) => Promise.resolve(q.toUpperCase()));
    const onResult = vi.fn();
    const runner = latestOnly({ delayMs: 120, run, onResult, onError: vi.fn() });
    runner.schedule('w');
    await vi.advanceTimersByTimeAsync(50);
    runner.schedule('wo');
    await vi.advanceTimersByTimeAsync(50);
    runner.schedule('word');
    await vi.advanceTimersByTimeAsync(119);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledExactlyOnceWith('word');
    expect(onResult).toHaveBeenCalledWith('WORD', 'word');
  });

  it('drops a slow answer once a newer request was made', async () => {
    const answers = new Map<string, ReturnType<typeof deferred<string>>>();
    const run = (q: string) => {
      const d = deferred<string>();
      answers.set(q, d);
      return d.promise;
    };
    const onResult = vi.fn();
    const runner = latestOnly({ delayMs: 10, run, onResult, onError: vi.fn() });
    runner.schedule('wor');
    await vi.advanceTimersByTimeAsync(10);
    runner.schedule('word');
    await vi.advanceTimersByTimeAsync(10);
    answers.get('word')?.resolve('new');
    await vi.advanceTimersByTimeAsync(0);
    answers.get('wor')?.resolve('stale');
    await vi.advanceTimersByTimeAsync(0);
    expect(onResult.mock.calls).toEqual([['new', 'word']]);
  });

  it('drops an answer in flight as soon as the user types again, and after cancel', async () => {
    const d = deferred<string>();
    const onResult = vi.fn();
    const runner = latestOnly({ delayMs: 10, run: () => d.promise, onResult, onError: vi.fn() });
    runner.flush('a');
    runner.schedule('ab');
    runner.cancel();
    d.resolve('a');
    await vi.advanceTimersByTimeAsync(50);
    expect(onResult).not.toHaveBeenCalled();
  });

  it('reports errors of the latest request only', async () => {
    const onError = vi.fn();
    const runner = latestOnly({
      delayMs: 0,
      run: () => Promise.reject(new Error('boom')),
      onResult: vi.fn(),
      onError,
    });
    runner.flush('x');
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledOnce();
  });
});

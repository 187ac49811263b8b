/**
 * Debounced "latest wins" runner for as-you-type requests: calls are delayed by
 * `delayMs` and collapsed, and an answer is delivered only if no newer call was
 * made since its request started, so a slow reply to "wor" can never overwrite
 * the results for "word".
 */
export interface LatestOnly<A> {
  /** Schedules a run with these arguments, replacing any scheduled one. */
  schedule(args: A): void;
  /** Runs now (e.g. Enter), replacing any scheduled run. */
  flush(args: A): void;
  /** Drops the scheduled run and any answer still in flight. */
  cancel(): void;
}

export interface LatestOnlyOptions<A, R> {
  delayMs: number;
  run: (args: A) => Promise<R>;
  onResult: (result: R, args: A) => void;
  onError: (err: unknown, args: A) => void;
  /** Injected for tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export function latestOnly<A, R>(options: LatestOnlyOptions<A, R>): LatestOnly<A> {
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer =
    options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  let generation = 0;
  let timer: unknown = null;

  function stopTimer(): void {
    if (timer !== null) clearTimer(timer);
    timer = null;
  }

  function start(args: A): void {
    const mine = ++generation;
    options.run(args).then(
      (result) => {
        if (mine === generation) options.onResult(result, args);
      },
      (err: unknown) => {
        if (mine === generation) options.onError(err, args);
      },
    );
  }

  return {
    schedule(args) {
      stopTimer();
      // Invalidate what is in flight at once: the user has typed past it.
      generation++;
      timer = setTimer(() => {
        timer = null;
        start(args);
      }, options.delayMs);
    },
    flush(args) {
      stopTimer();
      start(args);
    },
    cancel() {
      stopTimer();
      generation++;
    },
  };
}

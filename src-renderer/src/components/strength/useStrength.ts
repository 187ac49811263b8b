import { useEffect, useState } from 'react';
import type { Strength } from './estimator';

type Estimator = typeof import('./estimator');

let estimatorPromise: Promise<Estimator> | null = null;

/** Starts fetching the dictionaries; called on first keystroke (or focus) so the meter is ready in time. */
export function preloadStrengthEstimator(): Promise<Estimator> {
  estimatorPromise ??= import('./estimator').catch((err: unknown) => {
    // Let a later keystroke try again (e.g. the chunk failed to load during a reconnect).
    estimatorPromise = null;
    throw err;
  });
  return estimatorPromise;
}

export type StrengthState =
  { kind: 'empty' } | { kind: 'pending' } | { kind: 'ready'; strength: Strength } | { kind: 'unavailable' };

interface Estimate {
  passphrase: string;
  result: { kind: 'ready'; strength: Strength } | { kind: 'unavailable' };
}

/** Debounce so a fast typist does not run the estimator on every key (it takes a few ms per call). */
const DEBOUNCE_MS = 120;

/**
 * The zxcvbn estimate for `passphrase`, loaded lazily and debounced. While a
 * newer estimate is on its way the previous one stays on screen: it is at most
 * one debounce old, and blanking the meter on every key would make it flicker.
 * The caller applies the length rule to the current text itself, so that part
 * is never stale.
 */
export function useStrength(passphrase: string, userInputs: readonly string[]): StrengthState {
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const inputsKey = userInputs.join('\u0000');

  useEffect(() => {
    if (passphrase === '') return;
    let cancelled = false;
    const timer = setTimeout(() => {
      preloadStrengthEstimator().then(
        ({ estimateStrength }) => {
          if (cancelled) return;
          const strength = estimateStrength(passphrase, inputsKey === '' ? [] : inputsKey.split('\u0000'));
          setEstimate({ passphrase, result: { kind: 'ready', strength } });
        },
        () => {
          if (!cancelled) setEstimate({ passphrase, result: { kind: 'unavailable' } });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [passphrase, inputsKey]);

  if (passphrase === '') return { kind: 'empty' };
  if (!estimate) return { kind: 'pending' };
  return estimate.result;
}

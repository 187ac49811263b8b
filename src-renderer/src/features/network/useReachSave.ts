import { useState } from 'react';
import type { RequestParams } from '../../../../src-shared/contract';
import { useAppStore } from '../../store/appStore';

/** What a Settings → Network form shows around saving: busy, the core's error, "Saved.". */
export interface ReachSave {
  busy: boolean;
  error: string | null;
  saved: boolean;
  /** An error found before asking the core (a field out of range). */
  refuse(error: string): void;
  /** The user edited a field: "Saved." no longer describes what is shown. */
  edited(): void;
  /** Stores `change`; true when the core took it, else its words are in `error`. */
  save(change: RequestParams<'network.setReach'>): Promise<boolean>;
}

/** The saving state both of Settings → Network's forms keep (relay limits, public addresses). */
export function useReachSave(): ReachSave {
  const setReach = useAppStore((s) => s.setReach);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  return {
    busy,
    error,
    saved,
    refuse(problem) {
      setSaved(false);
      setError(problem);
    },
    edited() {
      setSaved(false);
    },
    async save(change) {
      setBusy(true);
      const problem = await setReach(change);
      setBusy(false);
      setError(problem);
      setSaved(problem === null);
      return problem === null;
    },
  };
}

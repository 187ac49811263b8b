import { useState } from 'react';
import {
  RELAY_LIMIT_BOUNDS,
  type NetworkReachView,
  type RelayLimitSettingsView,
} from '../../../../src-shared/contract/areas/network';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { ReachFormFooter } from './ReachFormFooter';
import { useReachSave } from './useReachSave';

type Key = keyof RelayLimitSettingsView;
const KEYS: Key[] = ['durationMinutes', 'dataMiB', 'reservations'];

const FIELDS: Record<Key, { label: string; unit: string }> = {
  durationMinutes: { label: 'Longest relayed connection (minutes)', unit: 'minutes' },
  dataMiB: { label: 'Data per relayed connection (MiB)', unit: 'MiB' },
  reservations: { label: 'Contacts’ devices relayed at once', unit: 'devices' },
};

/** A whole number within the key's bounds, or the words of what is wrong. */
function parse(key: Key, text: string): number | string {
  const { min, max } = RELAY_LIMIT_BOUNDS[key];
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    return `${FIELDS[key].label.replace(/ \(.*\)$/, '')}: enter a whole number from ${min} to ${max.toLocaleString('en')}.`;
  return n;
}

/**
 * The relay's limits (issue 19, "limits sized for messaging and files"):
 * how long and how much one relayed connection may use, and how many
 * contacts' devices may hold a reservation. Stored at once; the relay takes
 * them when networking next starts (libp2p's relay reads its limits when it
 * is built).
 */
export function RelayLimitsForm({ reach }: { reach: NetworkReachView | null }) {
  const [draft, setDraft] = useState<Partial<Record<Key, string>>>({});
  const saving = useReachSave();
  const stored = reach?.relayLimitSettings;
  const value = (key: Key) => draft[key] ?? (stored ? String(stored[key]) : '');

  async function submit() {
    const next: Partial<RelayLimitSettingsView> = {};
    for (const key of KEYS) {
      const parsed = parse(key, value(key));
      if (typeof parsed === 'string') {
        saving.refuse(parsed);
        return;
      }
      next[key] = parsed;
    }
    if (await saving.save({ relayLimits: next as RelayLimitSettingsView })) setDraft({});
  }

  function useDefaults() {
    saving.edited();
    setDraft({ durationMinutes: '60', dataMiB: '1024', reservations: '64' });
  }

  return (
    <form
      className="reach-form"
      aria-label="Relay limits"
      data-testid="network-relay-limits"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="reach-form__grid">
        {KEYS.map((key) => (
          <TextField
            key={key}
            label={FIELDS[key].label}
            testId={`network-relay-${key}`}
            inputMode="numeric"
            value={value(key)}
            disabled={reach === null}
            onChange={(e) => {
              saving.edited();
              setDraft((d) => ({ ...d, [key]: e.target.value }));
            }}
          />
        ))}
      </div>
      {saving.error ? (
        <p className="field__error" role="alert" data-testid="network-relay-limits-error">
          {saving.error}
        </p>
      ) : null}
      <p className="field__hint">
        A connection that reaches a limit is closed by the relay; your contacts reconnect at once and files
        resume where they stopped. The defaults (60 minutes, 1 GiB, 64 devices) suit messages and files.
      </p>
      <ReachFormFooter
        testId="network-relay-limits"
        saveLabel="Save limits"
        busy={saving.busy}
        disabled={reach === null}
        saved={saving.saved}
      >
        <Button testId="network-relay-limits-defaults" variant="ghost" size="sm" onClick={useDefaults}>
          Use defaults
        </Button>
      </ReachFormFooter>
    </form>
  );
}

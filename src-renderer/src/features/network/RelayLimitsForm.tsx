import { useState } from 'react';
import {
  RELAY_LIMIT_BOUNDS,
  type NetworkReachView,
  type RelayLimitSettingsView,
} from '../../../../src-shared/contract/areas/network';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { useAppStore } from '../../store/appStore';

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
  const setReach = useAppStore((s) => s.setReach);
  const [draft, setDraft] = useState<Partial<Record<Key, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const stored = reach?.relayLimitSettings;
  const value = (key: Key) => draft[key] ?? (stored ? String(stored[key]) : '');

  async function submit() {
    const next: Partial<RelayLimitSettingsView> = {};
    for (const key of KEYS) {
      const parsed = parse(key, value(key));
      if (typeof parsed === 'string') {
        setError(parsed);
        return;
      }
      next[key] = parsed;
    }
    setError(null);
    setBusy(true);
    const problem = await setReach({ relayLimits: next as RelayLimitSettingsView });
    setBusy(false);
    setError(problem);
    if (problem === null) {
      setDraft({});
      setSaved(true);
    }
  }

  function reset() {
    const defaults = { durationMinutes: '60', dataMiB: '1024', reservations: '64' };
    setSaved(false);
    setError(null);
    setDraft(defaults);
  }

  return (
    <form
      className="reach-form"
      aria-labelledby="network-relay-limits-title"
      data-testid="network-relay-limits"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 className="settings__subheading" id="network-relay-limits-title">
        Relay limits
      </h3>
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
              setSaved(false);
              setDraft((d) => ({ ...d, [key]: e.target.value }));
            }}
          />
        ))}
      </div>
      {error ? (
        <p className="field__error" role="alert" data-testid="network-relay-limits-error">
          {error}
        </p>
      ) : null}
      <p className="field__hint">
        A connection that reaches a limit is closed by the relay; your contacts reconnect at once and files
        resume where they stopped. The defaults (60 minutes, 1 GiB, 64 devices) suit messages and files.
      </p>
      <div className="reach-form__actions">
        <Button
          type="submit"
          testId="network-relay-limits-save"
          variant="secondary"
          size="sm"
          disabled={reach === null}
          busy={busy}
          busyLabel="Saving…"
        >
          Save limits
        </Button>
        <Button testId="network-relay-limits-defaults" variant="ghost" size="sm" onClick={reset}>
          Use defaults
        </Button>
        {saved ? (
          <span className="field__hint" role="status" data-testid="network-relay-limits-saved">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

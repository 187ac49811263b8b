import { useState } from 'react';
import { MAX_PUBLIC_ADDRESSES, type NetworkReachView } from '../../../../src-shared/contract/areas/network';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { useAppStore } from '../../store/appStore';

/** The addresses as typed: separated by commas, spaces or new lines. */
const split = (text: string): string[] => text.split(/[\s,]+/).filter((a) => a !== '');

/**
 * Public addresses (issue 19; docs/protocol.md §14.1): where other networks
 * reach this device when the user forwarded a port on their router or runs
 * Parley on a server, what `parley node --public` gives. The core checks
 * each one and says what is wrong with the first bad one; an empty list
 * removes them. Applies when networking next starts.
 */
export function PublicAddressesForm({ reach }: { reach: NetworkReachView | null }) {
  const setReach = useAppStore((s) => s.setReach);
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const text = draft ?? reach?.publicAddressSettings.join(', ') ?? '';

  async function submit() {
    const addresses = split(text);
    if (addresses.length > MAX_PUBLIC_ADDRESSES) {
      setError(`At most ${MAX_PUBLIC_ADDRESSES} public addresses.`);
      return;
    }
    setBusy(true);
    const problem = await setReach({ publicAddresses: addresses });
    setBusy(false);
    setError(problem);
    if (problem === null) {
      setDraft(null);
      setSaved(true);
    }
  }

  return (
    <form
      className="reach-form"
      data-testid="network-public-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <TextField
        label="Public addresses"
        testId="network-public-input"
        value={text}
        placeholder="203.0.113.7:4001"
        spellCheck={false}
        autoComplete="off"
        disabled={reach === null}
        error={error}
        onChange={(e) => {
          setSaved(false);
          setDraft(e.target.value);
        }}
        hint="Only if this device can be reached from the internet: a port forwarded to it on your router, or a server. The public IP address and port (host:port, or a multiaddr), several separated by commas. Leave empty otherwise: a wrong address stops your contacts from relaying for you."
      />
      <div className="reach-form__actions">
        <Button
          type="submit"
          testId="network-public-save"
          variant="secondary"
          size="sm"
          disabled={reach === null}
          busy={busy}
          busyLabel="Saving…"
        >
          Save addresses
        </Button>
        {saved ? (
          <span className="field__hint" role="status" data-testid="network-public-saved">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

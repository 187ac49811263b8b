import { useState } from 'react';
import { MAX_PUBLIC_ADDRESSES, type NetworkReachView } from '../../../../src-shared/contract/areas/network';
import { TextField } from '../../components/TextField';
import { ReachFormFooter } from './ReachFormFooter';
import { useReachSave } from './useReachSave';

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
  const [draft, setDraft] = useState<string | null>(null);
  const saving = useReachSave();
  const text = draft ?? reach?.publicAddressSettings.join(', ') ?? '';

  async function submit() {
    const addresses = split(text);
    if (addresses.length > MAX_PUBLIC_ADDRESSES) {
      saving.refuse(`At most ${MAX_PUBLIC_ADDRESSES} public addresses.`);
      return;
    }
    if (await saving.save({ publicAddresses: addresses })) setDraft(null);
  }

  return (
    <form
      className="reach-form"
      aria-label="Public addresses"
      data-testid="network-public-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <TextField
        label="Addresses"
        testId="network-public-input"
        value={text}
        placeholder="203.0.113.7:4001"
        spellCheck={false}
        autoComplete="off"
        disabled={reach === null}
        error={saving.error}
        onChange={(e) => {
          saving.edited();
          setDraft(e.target.value);
        }}
        hint="Only if this device can be reached from the internet: a port forwarded to it on your router, or a server. The public IP address and port (host:port, or a multiaddr), several separated by commas. Leave empty otherwise: a wrong address stops your contacts from relaying for you."
      />
      <ReachFormFooter
        testId="network-public"
        saveLabel="Save addresses"
        busy={saving.busy}
        disabled={reach === null}
        saved={saving.saved}
      />
    </form>
  );
}

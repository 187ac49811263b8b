import { useEffect, useId, useState } from 'react';
import { Button } from '../../components/Button';
import { useAppStore } from '../../store/appStore';

/**
 * "Nearby" in the add-contact dialog: people on this network who are
 * discoverable, by the name they chose. A request needs their consent.
 */
export function NearbyList() {
  const nearby = useAppStore((s) => s.nearby);
  const privacy = useAppStore((s) => s.privacy);
  const watchNearby = useAppStore((s) => s.watchNearby);
  const loadPrivacy = useAppStore((s) => s.loadPrivacy);
  const requestNearbyContact = useAppStore((s) => s.requestNearbyContact);
  const [open, setOpen] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string[]>([]);
  const ids = useId();

  useEffect(() => {
    void loadPrivacy();
    return watchNearby();
  }, [watchNearby, loadPrivacy]);

  async function send(peerId: string) {
    setBusy(true);
    setError(null);
    const problem = await requestNearbyContact(peerId, message.trim());
    setBusy(false);
    if (problem) {
      setError(problem);
      return;
    }
    setSent((s) => [...s, peerId]);
    setOpen(null);
    setMessage('');
  }

  return (
    <section className="dialog-section" aria-labelledby={`${ids}-nearby`} data-testid="nearby">
      <h3 className="dialog-section__title" id={`${ids}-nearby`}>
        Nearby
      </h3>
      {privacy && !privacy.discoverable ? (
        <p className="dialog-section__text" data-testid="nearby-off">
          Turn on “Discoverable on this network” in Settings to see people nearby.
        </p>
      ) : nearby.length === 0 ? (
        <p className="dialog-section__text" data-testid="nearby-empty">
          Nobody discoverable on this network right now.
        </p>
      ) : (
        <ul className="nearby-list" data-testid="nearby-list">
          {nearby.map((p) => (
            <li key={p.peerId} className="nearby-list__row" data-testid="nearby-row">
              <span className="nearby-list__name">{p.displayName}</span>
              {sent.includes(p.peerId) || p.requested ? (
                <span className="nearby-list__sent" data-testid="nearby-sent">
                  Request sent
                </span>
              ) : open === p.peerId ? (
                <form
                  className="nearby-list__form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void send(p.peerId);
                  }}
                >
                  <input
                    className="field__input"
                    data-testid="nearby-message"
                    aria-label={`Message to ${p.displayName}`}
                    placeholder="Say who you are (optional)"
                    maxLength={500}
                    value={message}
                    onChange={(e) => setMessage(e.target.value)}
                  />
                  <Button type="submit" testId="nearby-send" size="sm" busy={busy} busyLabel="Sending…">
                    Send
                  </Button>
                </form>
              ) : (
                <Button
                  testId="nearby-request"
                  variant="secondary"
                  size="sm"
                  onClick={() => {
                    setOpen(p.peerId);
                    setError(null);
                  }}
                >
                  Send contact request
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error ? (
        <p className="dialog-error" role="alert" data-testid="nearby-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}

import { useEffect, useRef, useState } from 'react';
import { Button } from '../../components/Button';
import { useQrScanner } from './useQrScanner';

const INVITE_PREFIX = 'parley://invite/';

/**
 * The camera view of "Add contact": point it at someone's invite QR code and
 * the invite is filled in (never added: the user still checks and chooses
 * Add). A code that is not a Parley invite is said so, and scanning goes on.
 */
export function InviteScanner({
  onScanned,
  onStop,
}: {
  onScanned: (invite: string) => void;
  onStop: () => void;
}) {
  const [notInvite, setNotInvite] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  // In a short window the camera view opens below the fold of the dialog: bring it up.
  // Braces: newer Chromium's scrollIntoView returns a Promise, and an effect
  // must return nothing or a cleanup function (React calls it on close).
  useEffect(() => {
    void root.current?.scrollIntoView?.({ block: 'nearest' });
  }, []);
  const { video, state } = useQrScanner((text) => {
    const trimmed = text.trim();
    if (!trimmed.toLowerCase().startsWith(INVITE_PREFIX)) {
      setNotInvite(true);
      return false;
    }
    onScanned(trimmed);
    return true;
  });

  return (
    <div className="scanner" data-testid="invite-scanner" ref={root}>
      {state.kind === 'error' ? (
        <p className="dialog-error" role="alert" data-testid="invite-scanner-error">
          {state.message}
        </p>
      ) : (
        <>
          <div className="scanner__view">
            {/* A live preview has no words to caption; the status line below says what it is for. */}
            <video
              ref={video}
              className="scanner__video"
              data-testid="invite-scanner-video"
              muted
              playsInline
              aria-label="Camera preview"
            />
            <span className="scanner__frame" aria-hidden="true" />
          </div>
          <p className="scanner__status" role="status" data-testid="invite-scanner-status">
            {state.kind === 'starting'
              ? 'Starting the camera…'
              : notInvite
                ? 'That QR code is not a Parley invite. Point the camera at the invite’s QR code.'
                : 'Point the camera at the invite’s QR code.'}
          </p>
        </>
      )}
      <div className="scanner__actions">
        <Button testId="invite-scanner-stop" variant="secondary" size="sm" onClick={onStop}>
          {state.kind === 'error' ? 'Close' : 'Stop scanning'}
        </Button>
      </div>
    </div>
  );
}

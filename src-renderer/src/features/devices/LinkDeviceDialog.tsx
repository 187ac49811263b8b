import { useEffect, useId, useState, type RefObject } from 'react';
import { Button } from '../../components/Button';
import { CodePanel } from '../../components/CodePanel';
import { Modal } from '../../components/Modal';
import { useAppStore } from '../../store/appStore';
import { SasDigits } from './SasDigits';

/**
 * Settings → Devices → "Link a new device" (issue 18, docs/protocol.md §13.5
 * and §13.10), on the device in use: the one-time code as a QR code and as
 * text with Copy, the time it has left, then the 6-digit short code both
 * screens show, which the user compares before anything is trusted, then
 * the end. Closing the dialog ends the code (nothing is linked).
 */
export function LinkDeviceDialog({
  onClose,
  returnFocus,
}: {
  onClose: () => void;
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  const status = useAppStore((s) => s.link);
  const error = useAppStore((s) => s.linkError);
  const watchLink = useAppStore((s) => s.watchLink);
  const confirmLink = useAppStore((s) => s.confirmLink);
  const cancelLink = useAppStore((s) => s.cancelLink);
  const [generation, setGeneration] = useState(0);
  const [answering, setAnswering] = useState(false);
  const ids = useId();
  const now = useNow();
  const code = status?.code ?? null;

  // A new code on open (and on "Show a new code"); the events move it on from there.
  useEffect(() => watchLink(), [watchLink, generation]);

  // Closing the dialog ends a live code: an unattended code is a way in.
  const close = () => {
    if (status && status.state !== 'done' && status.state !== 'failed' && status.state !== 'closed')
      void cancelLink();
    onClose();
  };

  async function answer(match: boolean) {
    setAnswering(true);
    await confirmLink(match);
    setAnswering(false);
  }

  const expired = status?.state === 'code' && status.expiresAt !== null && status.expiresAt <= now;
  const state = expired ? 'expired' : (status?.state ?? 'loading');

  return (
    <Modal title="Link a new device" testId="link-device-dialog" onClose={close} returnFocus={returnFocus}>
      {error ? (
        <div className="link-step">
          <p className="dialog-error" role="alert" data-testid="link-error">
            {error}
          </p>
          <div className="link-step__actions">
            <Button testId="link-close" variant="secondary" onClick={close}>
              Close
            </Button>
          </div>
        </div>
      ) : state === 'loading' || state === 'code' ? (
        <section className="dialog-section" aria-labelledby={`${ids}-code`}>
          <h3 className="dialog-section__title" id={`${ids}-code`}>
            Scan or paste this code on the new device
          </h3>
          <p className="dialog-section__text">
            On the new computer, install Parley and choose <strong>I already use Parley</strong>. Keep this
            window open until it is done.
          </p>
          <CodePanel
            text={code}
            qrData={code}
            label="Link code"
            placeholder="Making a code…"
            qrAlt="Link code as a QR code"
            testIds={{ text: 'link-code-text', copy: 'link-copy', qr: 'link-qr' }}
            footer={
              status?.expiresAt ? (
                <p className="link-step__countdown" data-testid="link-countdown">
                  Works once, for {formatLeft(status.expiresAt - now)} more. Only you should see it.
                </p>
              ) : null
            }
          />
        </section>
      ) : state === 'sas' ? (
        <section className="link-step" aria-labelledby={`${ids}-sas`} data-testid="link-sas-step">
          <h3 className="dialog-section__title" id={`${ids}-sas`}>
            Do both screens show the same code?
          </h3>
          <SasDigits sas={status?.sas ?? ''} testId="link-sas" />
          <p className="dialog-section__text">
            The new device {status?.peer ? <code>…{status.peer.slice(-8)}</code> : null} shows a code too.
            Link only if the two are the same: a different code means someone else has your link code.
          </p>
          <div className="link-step__actions">
            <Button
              testId="link-sas-differ"
              variant="secondary"
              disabled={answering}
              onClick={() => void answer(false)}
            >
              The codes differ
            </Button>
            <Button testId="link-sas-match" busy={answering} onClick={() => void answer(true)}>
              The codes match
            </Button>
          </div>
        </section>
      ) : state === 'confirmed' || state === 'granted' ? (
        <div className="link-step" role="status" data-testid="link-waiting">
          <p className="dialog-section__text">
            {state === 'confirmed'
              ? 'Waiting for the new device: confirm the code there too.'
              : 'Giving the new device your contacts and settings…'}
          </p>
        </div>
      ) : state === 'done' ? (
        <div className="link-step" data-testid="link-done">
          <p className="dialog-section__text" role="status">
            Linked. The new device {status?.peer ? <code>…{status.peer.slice(-8)}</code> : null} is now one of
            your devices, and your history is on its way to it.
          </p>
          <div className="link-step__actions">
            <Button testId="link-finish" onClick={onClose}>
              Done
            </Button>
          </div>
        </div>
      ) : (
        <div className="link-step" data-testid="link-failed">
          <p className="dialog-error" role="alert">
            {state === 'expired'
              ? 'This code expired. Show a new one.'
              : (status?.message ?? 'Linking ended. Nothing was linked.')}
          </p>
          <div className="link-step__actions">
            <Button testId="link-close" variant="secondary" onClick={close}>
              Close
            </Button>
            <Button testId="link-again" onClick={() => setGeneration((g) => g + 1)}>
              Show a new code
            </Button>
          </div>
        </div>
      )}
    </Modal>
  );
}

/** The clock, once a second, for the countdown. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/** "9:41" minutes and seconds left. */
function formatLeft(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

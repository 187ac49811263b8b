import QRCode from 'qrcode';
import { useEffect, useId, useRef, useState, type ReactNode, type RefObject } from 'react';
import { Button } from './Button';

export interface CodePanelProps {
  /** The text on show (an invite, a link code); null while it is being made. */
  text: string | null;
  /** What the QR code encodes (may differ from the text: an invite's text wraps its link); null: none yet. */
  qrData: string | null;
  /** The text field's name for screen readers ("Your invite text"). */
  label: string;
  /** Shown in the empty field while `text` is null ("Creating your invite…"). */
  placeholder: string;
  qrAlt: string;
  /** Said instead of the picture when no QR code can be drawn; absent: an empty frame. */
  qrFailedText?: string;
  testIds: { text: string; copy: string; copyStatus?: string; qr: string; qrFailed?: string };
  /** Under Copy (the time a code has left). */
  footer?: ReactNode;
  /** The text field, for a caller that moves focus to it. */
  textRef?: RefObject<HTMLTextAreaElement | null>;
}

/**
 * A one-time secret to hand to another screen: the text with Copy (or, with
 * no clipboard access, the text selected for the user to copy) and the same
 * as a QR code. Add contact's invite and Settings → Devices → "Link a new
 * device" both show one. The QR code is level M, coarse enough to scan off a
 * screen and to survive a smudge or glare; copy state and picture belong to
 * the text on show and reset when it changes.
 */
export function CodePanel({
  text,
  qrData,
  label,
  placeholder,
  qrAlt,
  qrFailedText,
  testIds,
  footer,
  textRef,
}: CodePanelProps) {
  const id = useId();
  const ownRef = useRef<HTMLTextAreaElement | null>(null);
  const fieldRef = textRef ?? ownRef;
  const [qr, setQr] = useState<{ data: string; url: string | null } | null>(null);
  const [copied, setCopied] = useState<{ text: string; how: 'copied' | 'selected' } | null>(null);

  useEffect(() => {
    if (!qrData) return;
    let live = true;
    QRCode.toDataURL(qrData, { errorCorrectionLevel: 'M', margin: 2, width: 440 }).then(
      (url) => live && setQr({ data: qrData, url }),
      // The text still works without the picture.
      () => live && setQr({ data: qrData, url: null }),
    );
    return () => {
      live = false;
    };
  }, [qrData]);
  const shownQr = qr && qr.data === qrData ? qr : null;
  const how = copied && copied.text === text ? copied.how : null;

  async function copy() {
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      setCopied({ text, how: 'copied' });
    } catch {
      // No clipboard access: select the text so the user can copy it themselves.
      fieldRef.current?.focus();
      fieldRef.current?.select();
      setCopied({ text, how: 'selected' });
    }
  }

  return (
    <div className="invite">
      <div className="invite__text">
        <label className="visually-hidden" htmlFor={id}>
          {label}
        </label>
        <textarea
          id={id}
          ref={fieldRef}
          className="textarea textarea--mono"
          data-testid={testIds.text}
          readOnly
          rows={5}
          value={text ?? ''}
          placeholder={text ? undefined : placeholder}
        />
        <div className="invite__actions">
          <Button
            testId={testIds.copy}
            variant="secondary"
            size="sm"
            disabled={!text}
            onClick={() => void copy()}
          >
            Copy
          </Button>
          <span className="invite__status" role="status" data-testid={testIds.copyStatus}>
            {how === 'copied' ? 'Copied to the clipboard.' : ''}
            {how === 'selected' ? 'Selected: press Ctrl+C (⌘C) to copy.' : ''}
          </span>
        </div>
        {footer}
      </div>
      <div className="invite__qr">
        {shownQr?.url ? (
          <img className="invite__qr-img" src={shownQr.url} alt={qrAlt} data-testid={testIds.qr} />
        ) : shownQr && qrFailedText ? (
          <p className="invite__qr-note" data-testid={testIds.qrFailed}>
            {qrFailedText}
          </p>
        ) : (
          <span className="invite__qr-placeholder" aria-hidden="true" />
        )}
      </div>
    </div>
  );
}

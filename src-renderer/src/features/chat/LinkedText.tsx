import { useAppStore } from '../../store/appStore';
import { splitLinks } from './links';

/**
 * Text with its links made usable, still as text nodes (never HTML): a web
 * address opens in a new browser window (the desktop app confirms before
 * handing it to the OS browser), an invite link opens Add contact filled in.
 */
export function LinkedText({ text }: { text: string }) {
  const openInvite = useAppStore((s) => s.openInvite);
  const segments = splitLinks(text);
  if (segments.every((s) => !s.link)) return <>{text}</>;
  return (
    <>
      {segments.map((s, i) =>
        !s.link ? (
          <span key={i}>{s.text}</span>
        ) : s.link.kind === 'web' ? (
          <a
            key={i}
            className="msg-link"
            href={s.link.url}
            target="_blank"
            rel="noopener noreferrer"
            data-testid="message-link"
            onClick={(e) => e.stopPropagation()}
          >
            {s.text}
          </a>
        ) : (
          <button
            key={i}
            type="button"
            className="msg-link msg-link--invite"
            data-testid="message-invite-link"
            title="Open this invite in Add contact"
            onClick={(e) => {
              e.stopPropagation();
              if (s.link) openInvite(s.link.url);
            }}
          >
            {s.text}
          </button>
        ),
      )}
    </>
  );
}

import { useAppStore } from '../../store/appStore';
import { splitLinks, type LinkSegment } from './links';

/**
 * Text with its links made usable, still as text nodes (never HTML): a web
 * address opens in a new browser window (the desktop app confirms before
 * handing it to the OS browser), an invite link opens Add contact filled in.
 */
export function LinkedText({ text }: { text: string }) {
  const segments = splitLinks(text);
  if (segments.every((s) => !s.link)) return <>{text}</>;
  return (
    <>
      {segments.map((s, i) =>
        s.link ? <MessageLink key={i} text={s.text} link={s.link} /> : <span key={i}>{s.text}</span>,
      )}
    </>
  );
}

/** One link: a web address opens in the browser (after confirmation on the desktop), an invite opens Add contact. */
export function MessageLink({ text, link }: { text: string; link: NonNullable<LinkSegment['link']> }) {
  const openInvite = useAppStore((s) => s.openInvite);
  return link.kind === 'web' ? (
    <a
      className="msg-link"
      href={link.url}
      target="_blank"
      rel="noopener noreferrer"
      data-testid="message-link"
      onClick={(e) => e.stopPropagation()}
    >
      {text}
    </a>
  ) : (
    <button
      type="button"
      className="msg-link msg-link--invite"
      data-testid="message-invite-link"
      title="Open this invite in Add contact"
      onClick={(e) => {
        e.stopPropagation();
        openInvite(link.url);
      }}
    >
      {text}
    </button>
  );
}

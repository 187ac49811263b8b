import type { MessageExtras } from '../../../../src-shared/contract/areas/chat';
import { LinkedText } from './LinkedText';
import { splitMentions } from './mentions';

/**
 * A message body with "@Name" mentions highlighted and links usable
 * (LinkedText). Every piece is a React text child (escaped, never HTML);
 * line breaks are kept by CSS.
 */
export function MentionText({ body, extras }: { body: string; extras: MessageExtras | undefined }) {
  if (!extras || extras.mentions.length === 0) return <LinkedText text={body} />;
  const self = extras.mentions.find((m) => m.self)?.key ?? null;
  const segments = splitMentions(body, extras.mentions, self);
  return (
    <>
      {segments.map((s, i) =>
        s.mention ? (
          <span key={i} className={`mention${s.mention.self ? ' mention--me' : ''}`} data-testid="mention">
            {s.text}
          </span>
        ) : (
          <LinkedText key={i} text={s.text} />
        ),
      )}
    </>
  );
}

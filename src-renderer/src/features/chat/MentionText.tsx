import type { ReactNode } from 'react';
import type { MessageExtras } from '../../../../src-shared/contract/areas/messages';
import { parseFormatting, type FormatNode } from './formatting';
import { LinkedText, MessageLink } from './LinkedText';
import { splitMentions, type MentionCandidate } from './mentions';

/**
 * A message body with its formatting (bold, italic, strikethrough, code,
 * code blocks: formatting.ts), "@Name" mentions highlighted and links usable.
 * Every piece is a React element or text child (escaped, never HTML); line
 * breaks are kept by CSS.
 */
export function MentionText({ body, extras }: { body: string; extras: MessageExtras | undefined }) {
  const nodes = parseFormatting(body);
  const mentions = extras?.mentions ?? [];
  const self = mentions.find((m) => m.self)?.key ?? null;
  return <>{nodes.map((n, i) => renderNode(n, i, mentions, self))}</>;
}

function renderNode(
  node: FormatNode,
  key: number,
  mentions: MentionCandidate[],
  self: string | null,
): ReactNode {
  const children = (nodes: FormatNode[]) => nodes.map((n, i) => renderNode(n, i, mentions, self));
  switch (node.type) {
    case 'text':
      return <TextWithMentions key={key} text={node.text} mentions={mentions} self={self} />;
    case 'link':
      return <MessageLink key={key} text={node.text} link={node.link} />;
    case 'code':
      return (
        <code key={key} className="msg-code" data-testid="message-code">
          {node.text}
        </code>
      );
    case 'codeblock':
      return (
        <pre key={key} className="msg-codeblock" data-testid="message-codeblock">
          <code>{node.text}</code>
        </pre>
      );
    case 'bold':
      return <strong key={key}>{children(node.children)}</strong>;
    case 'italic':
      return <em key={key}>{children(node.children)}</em>;
    case 'strike':
      return <s key={key}>{children(node.children)}</s>;
  }
}

function TextWithMentions({
  text,
  mentions,
  self,
}: {
  text: string;
  mentions: MentionCandidate[];
  self: string | null;
}) {
  if (mentions.length === 0) return <LinkedText text={text} />;
  return (
    <>
      {splitMentions(text, mentions, self).map((s, i) =>
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

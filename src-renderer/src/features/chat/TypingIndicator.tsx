/** "Ada is typing…" under the timeline; announced politely to screen readers. */
export function typingText(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0] ?? ''} is typing…`;
  if (names.length === 2) return `${names[0] ?? ''} and ${names[1] ?? ''} are typing…`;
  return `${names[0] ?? ''} and ${names.length - 1} others are typing…`;
}

export function TypingIndicator({ names }: { names: string[] }) {
  const text = typingText(names);
  return (
    <p className="typing-indicator" data-testid="typing-indicator" aria-live="polite">
      {text ? (
        <>
          <span className="typing-indicator__dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {text}
        </>
      ) : null}
    </p>
  );
}

import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { MESSAGE_MAX_LENGTH, requestNames } from '../../../../src-shared/contract';
import { Button } from '../../components/Button';
import { useAppStore } from '../../store/appStore';
import { EmojiPicker } from './EmojiPicker';
import {
  filterCandidates,
  insertMention,
  mentionedKeys,
  mentionQuery,
  type MentionCandidate,
} from './mentions';
import { ComposerBanner } from './ReplyPreview';

/**
 * Whether the contract has a send request (a renderer built against an older
 * contract keeps the composer disabled).
 */
const CAN_SEND = (requestNames as readonly string[]).includes('messages.send');
/** The text field grows with its text up to this many lines, then scrolls. */
const MAX_ROWS = 8;

export interface ComposerProps {
  title: string;
  /** Extra controls before the text field (attachments, …). */
  leading?: ReactNode;
  /** Extra content above the text field (attachment previews, …). */
  above?: ReactNode;
}

/**
 * The message composer. Enter sends, Shift+Enter is a new line; Up arrow in
 * an empty composer edits your last message (Escape cancels an edit or a
 * reply); "@" completes the names of the conversation's members; the emoji
 * button inserts an emoji at the caret. Disabled (and says why) without
 * networking.
 */
export function Composer({ title, leading, above }: ComposerProps) {
  const net = useAppStore((s) => s.net);
  const sendMessage = useAppStore((s) => s.sendMessage);
  const sendError = useAppStore((s) => s.sendError);
  const actionError = useAppStore((s) => s.chatActionError);
  const dismissActionError = useAppStore((s) => s.dismissChatActionError);
  const replyTo = useAppStore((s) => s.chat?.replyTo ?? null);
  const editing = useAppStore((s) => s.chat?.editing ?? null);
  const members = useAppStore((s) => s.chat?.members);
  const cancelReply = useAppStore((s) => s.cancelReply);
  const cancelEdit = useAppStore((s) => s.cancelEdit);
  const editLast = useAppStore((s) => s.editLast);
  const submitEdit = useAppStore((s) => s.submitEdit);
  const notifyTyping = useAppStore((s) => s.notifyTyping);
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [picked, setPicked] = useState<MentionCandidate[]>([]);
  const [caret, setCaret] = useState(0);
  const [choice, setChoice] = useState(0);
  const [mentionsClosedAt, setMentionsClosedAt] = useState<number | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const draftRef = useRef('');

  // Editing starts with the message's text; leaving it brings back what was being typed.
  const editingId = editing?.id ?? null;
  useEffect(() => {
    if (editingId === null) return;
    const body = useAppStore.getState().chat?.editing?.body ?? '';
    setText((current) => {
      draftRef.current = current;
      return body;
    });
    setPicked([]);
    inputRef.current?.focus();
    return () => setText(draftRef.current);
  }, [editingId]);
  const replyId = replyTo?.id ?? null;
  useEffect(() => {
    if (replyId !== null) inputRef.current?.focus();
  }, [replyId]);

  const canSend = CAN_SEND && net?.enabled === true;
  if (!canSend) {
    return (
      <div className="composer" data-testid="composer">
        <label className="visually-hidden" htmlFor="composer-input">
          Message
        </label>
        <textarea
          id="composer-input"
          className="composer__input"
          data-testid="composer-input"
          rows={1}
          disabled
          placeholder={`Message ${title}`}
          aria-describedby="composer-note"
        />
        <p className="composer__note" id="composer-note" data-testid="composer-note">
          {CAN_SEND ? 'Networking is off in this Parley.' : 'Sending arrives with peer-to-peer delivery.'}
        </p>
      </div>
    );
  }

  const others = (members ?? []).filter((m) => !m.self);
  const query = mentionQuery(text, caret);
  const candidates =
    query && query.start !== mentionsClosedAt && others.length > 0
      ? filterCandidates(others, query.query)
      : [];
  const active = Math.min(choice, Math.max(candidates.length - 1, 0));

  async function send() {
    const body = text.trim();
    if (body === '' || sending) return;
    const mentions = mentionedKeys(body, picked);
    if (editing) {
      setSending(true);
      const ok = await submitEdit(body, mentions);
      setSending(false);
      if (ok) {
        // The draft typed before the edit comes back (the editing effect's cleanup).
        setText('');
        setPicked([]);
        notifyTyping(false);
      }
      return;
    }
    // A new message leaves the field at once, so the next one can be typed and sent while it
    // is on its way (the core keeps the order). Clearing it only once the send resolved wiped
    // whatever was typed meanwhile, and Enter was ignored until then: fast typists lost messages.
    draftRef.current = '';
    setText('');
    setPicked([]);
    notifyTyping(false);
    if (!(await sendMessage(body, mentions))) {
      // Not sent (the error shows above): the text comes back unless something new was typed.
      setText((current) => (current === '' ? body : current));
    }
  }

  function pickMention(m: MentionCandidate) {
    if (!query) return;
    const done = insertMention(text, query.start, caret, m.name);
    setText(done.text);
    setCaret(done.caret);
    setPicked((p) => (p.some((x) => x.key === m.key) ? p : [...p, m]));
    requestAnimationFrame(() => {
      inputRef.current?.focus();
      inputRef.current?.setSelectionRange(done.caret, done.caret);
    });
  }

  function insertAtCaret(insert: string) {
    const el = inputRef.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + insert + text.slice(end);
    if (next.length > MESSAGE_MAX_LENGTH) return;
    setText(next);
    const at = start + insert.length;
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at, at);
    });
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.nativeEvent.isComposing) return;
    if (candidates.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setChoice((active + step + candidates.length) % candidates.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const m = candidates[active];
        if (m) pickMention(m);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMentionsClosedAt(query?.start ?? null);
        return;
      }
    }
    if (e.key === 'Escape' && (editing || replyTo)) {
      e.preventDefault();
      if (editing) cancelEdit();
      else cancelReply();
      return;
    }
    // Up arrow in an empty composer edits the last message you sent.
    if (e.key === 'ArrowUp' && text === '' && !editing && !e.shiftKey && !e.altKey) {
      if (editLast()) e.preventDefault();
      return;
    }
    // Enter sends; Shift+Enter (and IME composition) inserts a new line.
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  }

  const rows = Math.min(MAX_ROWS, Math.max(1, text.split('\n').length));
  const error = sendError ?? actionError;
  return (
    <form
      className={`composer composer--active${editing ? ' composer--editing' : ''}`}
      data-testid="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      {editing ? <ComposerBanner kind="edit" message={editing} onCancel={cancelEdit} /> : null}
      {!editing && replyTo ? <ComposerBanner kind="reply" message={replyTo} onCancel={cancelReply} /> : null}
      {above}
      {candidates.length > 0 ? (
        <ul
          className="mention-list"
          role="listbox"
          id="mention-list"
          data-testid="mention-list"
          aria-label="Members"
        >
          {candidates.map((m, i) => (
            <li
              key={m.key}
              id={`mention-${m.key}`}
              role="option"
              aria-selected={i === active}
              className={`mention-list__item${i === active ? ' is-active' : ''}`}
              data-testid="mention-option"
              onMouseDown={(e) => {
                e.preventDefault();
                pickMention(m);
              }}
            >
              @{m.name}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="composer__row">
        {leading}
        <div className="composer__emoji">
          <button
            type="button"
            className="icon-btn composer__emoji-btn"
            data-testid="composer-emoji"
            aria-label="Insert emoji"
            aria-expanded={emojiOpen}
            title="Emoji"
            onClick={() => setEmojiOpen((o) => !o)}
          >
            ☺
          </button>
          {emojiOpen ? (
            <EmojiPicker
              label="Insert an emoji"
              testId="composer-emoji-picker"
              className="emoji-picker--composer"
              onClose={() => setEmojiOpen(false)}
              onPick={(emoji) => {
                setEmojiOpen(false);
                insertAtCaret(emoji);
              }}
            />
          ) : null}
        </div>
        <label className="visually-hidden" htmlFor="composer-input">
          {editing ? 'Edit message' : 'Message'}
        </label>
        <textarea
          ref={inputRef}
          id="composer-input"
          className="composer__input"
          data-testid="composer-input"
          rows={rows}
          value={text}
          maxLength={MESSAGE_MAX_LENGTH}
          placeholder={editing ? 'Edit your message' : `Message ${title}`}
          aria-describedby={error ? 'composer-error' : undefined}
          aria-autocomplete="list"
          aria-controls={candidates.length > 0 ? 'mention-list' : undefined}
          aria-activedescendant={candidates[active] ? `mention-${candidates[active].key}` : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart);
            setChoice(0);
            if (!editing) notifyTyping(e.target.value.trim() !== '');
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
        />
        <Button
          type="submit"
          testId="composer-send"
          busy={sending}
          busyLabel={editing ? 'Saving…' : 'Sending…'}
          disabled={text.trim() === ''}
        >
          {editing ? 'Save' : 'Send'}
        </Button>
      </div>
      {error ? (
        <p className="composer__note" id="composer-error" role="alert" data-testid="composer-error">
          {error.message}
          {actionError && !sendError ? (
            <button type="button" className="link-btn" onClick={dismissActionError}>
              Dismiss
            </button>
          ) : null}
        </p>
      ) : null}
    </form>
  );
}

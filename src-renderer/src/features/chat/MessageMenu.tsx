import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';
import type { MessageView } from '../../../../src-shared/contract';
import type { MessageExtras, MessageHistory } from '../../../../src-shared/contract/areas/messages';
import { ConfirmDialog, type ConfirmAction } from '../../components/ConfirmDialog';
import { Modal } from '../../components/Modal';
import { formatDateTime } from '../../lib/time';
import { useAppStore } from '../../store/appStore';
import { EmojiPicker } from './EmojiPicker';
import { ReactionBar } from './ReactionBar';
import { deliveryLabel } from './timeline';
import { useUndeliverable } from './useUndeliverable';

type Item = 'reply' | 'react' | 'copy' | 'edit' | 'delete' | 'info';

const LABELS: Record<Item, string> = {
  reply: 'Reply',
  react: 'React…',
  copy: 'Copy text',
  edit: 'Edit',
  delete: 'Delete…',
  info: 'Info',
};

/**
 * A message with its actions: hover (or focus) buttons for react, reply and
 * more; a right-click (or Shift+F10 / the menu key) context menu with reply,
 * react, copy text, edit, delete and info; the reaction chips under it.
 */
export function MessageActions({
  message,
  extras,
  tabbable = true,
  onFocusMessage,
  children,
}: {
  message: MessageView;
  extras: MessageExtras | undefined;
  /**
   * The message list is one tab stop (issue #17 item 13): only the message
   * that last had focus (or the newest) is in the tab order; arrows move
   * between messages (timelineKeys.ts).
   */
  tabbable?: boolean;
  onFocusMessage?: (messageId: number) => void;
  children: ReactNode;
}) {
  const startReply = useAppStore((s) => s.startReply);
  const startEdit = useAppStore((s) => s.startEdit);
  const toggleReaction = useAppStore((s) => s.toggleReaction);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  // Where the reaction picker opens: beside what opened it (a button, or the message from the menu).
  const [picker, setPicker] = useState<PickerAnchor | null>(null);
  const [dialog, setDialog] = useState<'delete' | 'info' | null>(null);
  // The menu that opened a dialog is gone by the time it closes: focus goes back to the message.
  const wrapRef = useRef<HTMLDivElement>(null);
  const deleted = message.deletedAt !== null || message.body === null;
  const own = message.sender.self;
  // A conversation this device can no longer write to (left; every one on a removed device,
  // §13.8 step 4; blocked): nothing that would send is offered, reading and copying stay.
  const readOnly = useAppStore((s) => {
    const id = s.chat?.conversationId;
    return id != null && s.conversations.some((c) => c.id === id && c.readOnly);
  });
  if (message.kind === 'system') return <>{children}</>;

  const items: Item[] = deleted
    ? ['info', 'delete']
    : readOnly
      ? ['copy', 'delete', 'info']
      : ['reply', 'react', 'copy', ...(own ? (['edit'] as const) : []), 'delete', 'info'];

  function run(item: Item) {
    setMenu(null);
    if (item === 'reply') startReply(message);
    else if (item === 'react') setPicker(anchorOf(wrapRef.current?.querySelector('.msg__bubble'), own));
    else if (item === 'copy') void navigator.clipboard?.writeText(message.body ?? '').catch(() => undefined);
    else if (item === 'edit') startEdit(message);
    else setDialog(item);
  }

  return (
    <div
      ref={wrapRef}
      className={`msg-wrap${own ? ' msg-wrap--out' : ''}${extras?.mentionsMe ? ' msg-wrap--mentions-me' : ''}`}
      data-testid="message-wrap"
      data-mentions-me={extras?.mentionsMe || undefined}
      // One message of the list is in the tab order; arrows reach the others, Shift+F10 the actions.
      tabIndex={tabbable ? 0 : -1}
      data-message-id={message.id}
      aria-keyshortcuts="Shift+F10"
      onFocus={(e) => {
        if (e.target === e.currentTarget) onFocusMessage?.(message.id);
      }}
      onContextMenu={(e) => {
        e.preventDefault();
        setMenu({ x: e.clientX, y: e.clientY });
      }}
      onKeyDown={(e) => {
        if (e.target !== e.currentTarget) return;
        if ((e.key === 'F10' && e.shiftKey) || e.key === 'ContextMenu') {
          e.preventDefault();
          // Under the bubble, at its start edge (the right edge for our own messages).
          const bubble = e.currentTarget.querySelector('.msg__bubble') ?? e.currentTarget;
          const r = bubble.getBoundingClientRect();
          setMenu({ x: own ? r.right - MENU_WIDTH : r.left, y: r.bottom + 4 });
        }
      }}
    >
      {/* The bubble and its hover actions side by side: the actions sit beside the bubble, not at the far edge. */}
      <div className="msg-line">
        {children}
        {!deleted ? (
          // Mouse affordances only, never tab stops: whether they could take focus depended on
          // :hover and :focus-within at the moment of a key press, so Tab and Shift+Tab landed on
          // another message's buttons when the pointer rested on it. Shift+F10 has every action.
          <div className="msg-hover" data-testid="message-actions">
            {readOnly ? null : (
              <>
                <button
                  type="button"
                  className="msg-hover__btn"
                  data-testid="action-react"
                  tabIndex={-1}
                  aria-label="React"
                  title="React"
                  onClick={(e) => setPicker(anchorOf(e.currentTarget, own))}
                >
                  ☺
                </button>
                <button
                  type="button"
                  className="msg-hover__btn"
                  data-testid="action-reply"
                  tabIndex={-1}
                  aria-label="Reply"
                  title="Reply"
                  onClick={() => startReply(message)}
                >
                  ↩
                </button>
              </>
            )}
            <button
              type="button"
              className="msg-hover__btn"
              data-testid="action-more"
              tabIndex={-1}
              aria-label="More actions"
              aria-haspopup="menu"
              title="More"
              onClick={(e) => {
                const r = e.currentTarget.getBoundingClientRect();
                setMenu({ x: r.left, y: r.bottom + 4 });
              }}
            >
              ⋯
            </button>
          </div>
        ) : null}
      </div>
      {extras && extras.reactions.length > 0 ? (
        <ReactionBar
          reactions={extras.reactions}
          onToggle={(emoji) => void toggleReaction(message.id, emoji)}
        />
      ) : null}
      {picker ? (
        <Floating>
          <EmojiPicker
            label="React with an emoji"
            anchor={picker}
            onClose={() => {
              setPicker(null);
              wrapRef.current?.focus();
            }}
            onPick={(emoji) => {
              setPicker(null);
              wrapRef.current?.focus();
              void toggleReaction(message.id, emoji);
            }}
          />
        </Floating>
      ) : null}
      {menu ? (
        <Floating>
          <ContextMenu at={menu} items={items} onRun={run} onClose={() => setMenu(null)} />
        </Floating>
      ) : null}
      {dialog === 'delete' ? (
        <Floating>
          <DeleteDialog
            message={message}
            writable={!readOnly}
            onClose={() => setDialog(null)}
            returnFocus={wrapRef}
          />
        </Floating>
      ) : null}
      {dialog === 'info' ? (
        <Floating>
          <InfoDialog message={message} onClose={() => setDialog(null)} returnFocus={wrapRef} />
        </Floating>
      ) : null}
    </div>
  );
}

/** The context menu's width (styles: .context-menu), to open it under the end of an outgoing bubble. */
const MENU_WIDTH = 200;

type PickerAnchor = { left: number; right: number; top: number; bottom: number; alignEnd: boolean };

function anchorOf(el: Element | null | undefined, alignEnd: boolean): PickerAnchor | null {
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, alignEnd };
}

/**
 * Menus and dialogs render outside the timeline rows: rows are positioned
 * with transforms (virtual scrolling), and inside a transformed box
 * `position: fixed` is relative to that box, not the window. They go to the
 * chat view (untransformed, inside the page's main landmark).
 */
export function Floating({ children }: { children: ReactNode }) {
  return createPortal(children, document.querySelector('[data-testid="chat-view"]') ?? document.body);
}

function ContextMenu({
  at,
  items,
  onRun,
  onClose,
}: {
  at: { x: number; y: number };
  items: Item[];
  onRun: (item: Item) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // The latest onClose, so re-renders of the row (a refresh) neither re-run the effect nor steal focus.
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  });
  useEffect(() => {
    // Focus goes back where it was (the message) when the menu closes.
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    function outside(e: MouseEvent) {
      if (ref.current && !ref.current.contains(e.target as Node)) closeRef.current();
    }
    const close = () => closeRef.current();
    document.addEventListener('mousedown', outside);
    window.addEventListener('blur', close);
    window.addEventListener('resize', close);
    return () => {
      document.removeEventListener('mousedown', outside);
      window.removeEventListener('blur', close);
      window.removeEventListener('resize', close);
      if (previous?.isConnected && !document.querySelector('[role="dialog"]')) previous.focus();
    };
  }, []);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const buttons = Array.from(ref.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    let next: number | null = null;
    if (e.key === 'ArrowDown') next = (index + 1) % buttons.length;
    else if (e.key === 'ArrowUp') next = (index - 1 + buttons.length) % buttons.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = buttons.length - 1;
    else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      return;
    }
    if (next === null) return;
    e.preventDefault();
    buttons[next]?.focus();
  }

  // Kept inside the window: the menu is at most ~240 × 260 px.
  const left = Math.max(8, Math.min(at.x, window.innerWidth - MENU_WIDTH - 8));
  const top = Math.max(8, Math.min(at.y, window.innerHeight - 260));
  return (
    <div
      ref={ref}
      className="context-menu"
      role="menu"
      aria-label="Message actions"
      data-testid="message-menu"
      style={{ left, top }}
      onKeyDown={onKeyDown}
    >
      {items.map((item) => (
        <button
          key={item}
          type="button"
          role="menuitem"
          className={`context-menu__item${item === 'delete' ? ' context-menu__item--danger' : ''}`}
          data-testid={`menu-${item}`}
          onClick={() => onRun(item)}
        >
          {LABELS[item]}
        </button>
      ))}
    </div>
  );
}

function DeleteDialog({
  message,
  onClose,
  returnFocus,
  writable,
}: {
  message: MessageView;
  onClose: () => void;
  returnFocus: RefObject<HTMLElement | null>;
  /** False where nothing can be sent: only "Delete for me". */
  writable: boolean;
}) {
  const deleteMessage = useAppStore((s) => s.deleteMessage);
  const [busy, setBusy] = useState<'me' | 'everyone' | null>(null);
  const canEveryone = writable && message.sender.self && message.deletedAt === null && message.body !== null;
  async function remove(scope: 'me' | 'everyone') {
    setBusy(scope);
    const ok = await deleteMessage(message.id, scope);
    setBusy(null);
    if (ok) onClose();
  }
  const forMe: ConfirmAction = {
    label: 'Delete for me',
    testId: 'delete-for-me',
    variant: 'secondary',
    busy: busy === 'me',
    onConfirm: () => void remove('me'),
  };
  const forEveryone: ConfirmAction = {
    label: 'Delete for everyone',
    testId: 'delete-for-everyone',
    busy: busy === 'everyone',
    onConfirm: () => void remove('everyone'),
  };
  return (
    <ConfirmDialog
      title="Delete message?"
      testId="delete-dialog"
      cancelTestId="delete-cancel"
      onCancel={onClose}
      returnFocus={returnFocus}
      actions={canEveryone ? [forMe, forEveryone] : [forMe]}
    >
      {canEveryone
        ? 'Delete for everyone removes it from every device in this conversation; “This message was deleted” stays in its place. Delete for me removes it only here.'
        : 'It is removed from this device only.'}
    </ConfirmDialog>
  );
}

/** Sent and edited times, delivery state, who read it, and the edit history. */
export function InfoDialog({
  message,
  onClose,
  returnFocus,
}: {
  message: MessageView;
  onClose: () => void;
  /** Where focus goes on close; else back where it was on open. */
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  const messageHistory = useAppStore((s) => s.messageHistory);
  const [history, setHistory] = useState<MessageHistory | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void messageHistory(message.conversationId, message.id).then((reply) => {
      if (!live) return;
      if (reply.ok) setHistory(reply.value);
      else setError(reply.error.message);
    });
    return () => {
      live = false;
    };
  }, [message.conversationId, message.id, messageHistory]);
  const undeliverable = useUndeliverable(message.conversationId);
  const state = message.sender.self ? deliveryLabel(message, undeliverable) : null;
  return (
    <Modal title="Message info" testId="message-info" onClose={onClose} returnFocus={returnFocus}>
      <dl className="facts">
        <div className="facts__row">
          <dt>From</dt>
          <dd>{message.sender.self ? 'You' : message.sender.name}</dd>
        </div>
        <div className="facts__row">
          <dt>Sent</dt>
          <dd>{formatDateTime(message.sentAt)}</dd>
        </div>
        {message.editedAt !== null ? (
          <div className="facts__row">
            <dt>Edited</dt>
            <dd>{formatDateTime(message.editedAt)}</dd>
          </div>
        ) : null}
        {state ? (
          <div className="facts__row">
            <dt>Status</dt>
            <dd data-testid="info-state">{state}</dd>
          </div>
        ) : null}
      </dl>
      {error ? (
        <p className="dialog-error" role="alert">
          {error}
        </p>
      ) : null}
      {history && history.readBy.length > 0 ? (
        <>
          <h3 className="modal__subheading">Read by</h3>
          <ul className="info-list" data-testid="info-read-by">
            {history.readBy.map((r, i) => (
              <li key={i}>
                {r.name} · {formatDateTime(r.at)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {history && history.versions.length > 1 ? (
        <>
          <h3 className="modal__subheading">Edit history</h3>
          <ol className="info-list info-list--history" data-testid="edit-history">
            {history.versions.map((v, i) => (
              <li key={i} data-testid="edit-version">
                <span className="info-list__time">
                  {formatDateTime(v.at)}
                  {i === history.versions.length - 1 ? ' (current)' : ''}
                </span>
                <span className="info-list__body">{v.body}</span>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </Modal>
  );
}

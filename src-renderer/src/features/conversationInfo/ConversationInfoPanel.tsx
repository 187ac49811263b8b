import { useEffect, useId, useRef, useState } from 'react';
import type { ConversationInfo, GroupMemberView } from '../../../../src-shared/contract/areas/conversations';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Modal } from '../../components/Modal';
import { TextField } from '../../components/TextField';
import { useAppStore } from '../../store/appStore';
import { isMac } from '../home/useLockShortcut';
import { lastSystemMessageId, memberActions, ROLE_LABEL } from './memberActions';
import { ProtocolDetails } from './ProtocolDetails';

const SHORTCUT_LABEL = isMac ? '⌘I' : 'Ctrl+I';

/** True for the panel's shortcut: Ctrl+I (⌘I on macOS), no other modifier. */
export function isInfoShortcut(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>,
): boolean {
  const mod = isMac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  return mod && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'i';
}

/**
 * The chat header's "Conversation info" button, its keyboard shortcut
 * (Ctrl+I / ⌘I) and the panel it opens.
 */
export function ConversationInfoButton() {
  const open = useAppStore((s) => s.infoOpen);
  const openInfo = useAppStore((s) => s.openConversationInfo);
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || !isInfoShortcut(event)) return;
      // Another dialog keeps its keys.
      if (document.querySelector('[aria-modal="true"]')) return;
      event.preventDefault();
      void useAppStore.getState().openConversationInfo();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
  return (
    <>
      <button
        type="button"
        className="icon-btn chat__info-btn"
        data-testid="chat-info-button"
        aria-haspopup="dialog"
        aria-keyshortcuts={isMac ? 'Meta+I' : 'Control+I'}
        title={`Conversation info (${SHORTCUT_LABEL})`}
        onClick={() => void openInfo()}
      >
        <span aria-hidden="true" className="chat__info-glyph">
          i
        </span>
        <span className="visually-hidden">Conversation info</span>
      </button>
      {open ? <ConversationInfoPanel /> : null}
    </>
  );
}

type Confirm = { kind: 'leave' } | { kind: 'remove'; member: GroupMemberView } | null;

export function ConversationInfoPanel() {
  const info = useAppStore((s) => s.conversationInfo);
  const summary = useAppStore((s) => s.conversations.find((c) => c.id === s.chat?.conversationId));
  const chatContact = useAppStore((s) => s.chatContact);
  const busy = useAppStore((s) => s.infoBusy);
  const error = useAppStore((s) => s.infoError);
  const notice = useAppStore((s) => s.infoNotice);
  const close = useAppStore((s) => s.closeConversationInfo);
  const openContacts = useAppStore((s) => s.openContacts);
  const [confirm, setConfirm] = useState<Confirm>(null);
  useReloadOnGroupChange();
  useEffect(() => {
    // A member action's button goes away once applied ("Make admin" on a new
    // admin, the removed member's row) or is disabled while busy; the browser
    // then drops focus to the body, where Escape and Tab no longer reach the
    // dialog. Keep focus inside it (or inside the confirmation over it).
    const dialog = document.querySelector<HTMLElement>('[data-testid="conversation-info"]');
    if (dialog && !dialog.contains(document.activeElement)) dialog.focus();
  }, [info, busy]);

  return (
    <Modal title="Conversation info" testId="conversation-info" onClose={close}>
      {notice ? (
        <p className="contacts__notice" role="status" data-testid="info-notice">
          {notice}
        </p>
      ) : null}
      {error ? (
        <p className="dialog-error" role="alert" data-testid="info-error">
          {error.message}
        </p>
      ) : null}
      {info ? (
        <InfoBody info={info} onConfirm={setConfirm} />
      ) : busy === 'load' ? (
        <p className="dialog-section__text" data-testid="info-loading">
          Loading…
        </p>
      ) : (
        // Without the info request (not available yet): what the home list and the contact know.
        <section className="dialog-section" data-testid="info-fallback">
          <p className="dialog-section__text">
            {summary?.title ?? 'Conversation'} · {summary?.kind === 'group' ? 'Group' : 'Direct message'} ·
            end-to-end encrypted
          </p>
          {chatContact ? (
            <div className="dialog-actions dialog-actions--start">
              <Button
                testId="info-view-contact"
                variant="secondary"
                onClick={() => {
                  close();
                  void openContacts(chatContact.id);
                }}
              >
                View {chatContact.name}’s profile and safety number
              </Button>
            </div>
          ) : null}
        </section>
      )}
      {/* Over the panel, which stays as it is behind it. */}
      {confirm ? <ConfirmChange confirm={confirm} info={info} onDone={() => setConfirm(null)} /> : null}
    </Modal>
  );
}

/**
 * Keeps the open panel current: a group change made elsewhere (another admin,
 * the member who left) or this user's own change once it is applied (one made
 * while the previous change is unconfirmed is queued, up to the acceptance
 * window, docs/protocol.md §10) arrives as a system line in the open chat.
 */
function useReloadOnGroupChange() {
  const lastSystem = useAppStore((s) => lastSystemMessageId(s.chat?.messages));
  const reload = useAppStore((s) => s.loadConversationInfo);
  const seen = useRef(lastSystem);
  useEffect(() => {
    // Opening the panel already loaded it: only later lines trigger a reload.
    if (lastSystem === seen.current) return;
    seen.current = lastSystem;
    void reload();
  }, [lastSystem, reload]);
}

function InfoBody({ info, onConfirm }: { info: ConversationInfo; onConfirm: (c: Confirm) => void }) {
  const isGroup = info.kind === 'group';
  const admin = info.myRole === 'owner' || info.myRole === 'admin';
  const active = info.leftAt === null && info.myRole !== null;
  return (
    <>
      {/* Not a named region: its heading is the conversation's title, which the chat already uses. */}
      <section className="dialog-section">
        <h3 className="dialog-section__title" data-testid="info-title">
          {info.title}
        </h3>
        <dl className="info-facts">
          <dt>Kind</dt>
          <dd data-testid="info-kind">{isGroup ? 'Group' : 'Direct message'}</dd>
          <dt>Encryption</dt>
          <dd data-testid="info-encryption">End-to-end encrypted</dd>
          {/* Roles are how a group decides who changes it; a DM has two equal people. */}
          {isGroup && info.myRole ? (
            <>
              <dt>Your role</dt>
              <dd data-testid="info-my-role">{ROLE_LABEL[info.myRole]}</dd>
            </>
          ) : null}
        </dl>
        {info.leftAt !== null ? (
          <p className="dialog-section__text" data-testid="info-left">
            You are no longer in this conversation. The history stays here, read-only.
          </p>
        ) : null}
        <ProtocolDetails info={info} />
        {info.pendingProposals > 0 ? (
          <p className="dialog-section__text" data-testid="info-pending">
            {info.pendingProposals === 1
              ? '1 change waits for an admin to apply it.'
              : `${info.pendingProposals} changes wait for an admin to apply them.`}
          </p>
        ) : null}
      </section>
      {!isGroup ? <DmContactLink info={info} /> : null}
      {isGroup && admin && active ? <RenameGroup info={info} /> : null}
      <MemberList info={info} onConfirm={onConfirm} />
      {isGroup && active ? <AddMembers info={info} /> : null}
      {isGroup && active ? (
        <section className="dialog-section">
          <div className="dialog-actions dialog-actions--start">
            <Button testId="info-leave" variant="secondary" onClick={() => onConfirm({ kind: 'leave' })}>
              Leave group…
            </Button>
          </div>
        </section>
      ) : null}
    </>
  );
}

/** A DM's other person: straight to their profile (safety number, verify, block). */
function DmContactLink({ info }: { info: ConversationInfo }) {
  const close = useAppStore((s) => s.closeConversationInfo);
  const openContacts = useAppStore((s) => s.openContacts);
  const other = info.members.find((m) => !m.self && m.contactId !== null);
  if (!other || other.contactId === null) return null;
  const contactId = other.contactId;
  return (
    <div className="dialog-actions dialog-actions--start">
      <Button
        testId="info-view-contact"
        variant="secondary"
        onClick={() => {
          close();
          void openContacts(contactId);
        }}
      >
        {other.name}’s profile and safety number
      </Button>
    </div>
  );
}

function MemberList({ info, onConfirm }: { info: ConversationInfo; onConfirm: (c: Confirm) => void }) {
  const setRole = useAppStore((s) => s.setGroupRole);
  const busy = useAppStore((s) => s.infoBusy);
  const ids = useId();
  const active = info.leftAt === null;
  return (
    <section className="dialog-section" aria-labelledby={`${ids}-members`}>
      <h3 className="dialog-section__title" id={`${ids}-members`}>
        {info.members.length === 1 ? '1 member' : `${info.members.length} members`}
      </h3>
      <ul className="info-members" data-testid="info-members">
        {info.members.map((m) => {
          const actions =
            info.kind === 'group' && active
              ? memberActions(info.myRole, m, info.members)
              : { canRemove: false, canMakeAdmin: false, canMakeMember: false };
          return (
            <li key={m.identityKey} className="info-member" data-testid="info-member">
              {/* Who, wrapping inside its own column, so the buttons never wrap under a long name. */}
              <span className="info-member__who">
                <span className="info-member__name">
                  {m.name}
                  {m.self ? ' (you)' : ''}
                </span>
                {m.verified ? (
                  <span className="trust-badge trust-badge--verified">
                    <span aria-hidden="true">✓ </span>Verified
                  </span>
                ) : null}
                {info.kind === 'group' ? (
                  <span className="info-member__role" data-testid="info-member-role">
                    {ROLE_LABEL[m.role]}
                  </span>
                ) : null}
              </span>
              <span className="info-member__actions" data-testid="info-member-actions">
                {actions.canMakeAdmin ? (
                  <Button
                    testId="info-make-admin"
                    size="sm"
                    variant="ghost"
                    disabled={busy !== null}
                    aria-label={`Make ${m.name} an admin`}
                    onClick={() => void setRole(m.identityKey, 'admin')}
                  >
                    Make admin
                  </Button>
                ) : null}
                {actions.canMakeMember ? (
                  <Button
                    testId="info-make-member"
                    size="sm"
                    variant="ghost"
                    disabled={busy !== null}
                    aria-label={`Make ${m.name} a member`}
                    onClick={() => void setRole(m.identityKey, 'member')}
                  >
                    Make member
                  </Button>
                ) : null}
                {actions.canRemove ? (
                  <Button
                    testId="info-remove-member"
                    size="sm"
                    variant="ghost"
                    disabled={busy !== null}
                    aria-label={`Remove ${m.name} from the group`}
                    onClick={() => onConfirm({ kind: 'remove', member: m })}
                  >
                    Remove
                  </Button>
                ) : null}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function RenameGroup({ info }: { info: ConversationInfo }) {
  const rename = useAppStore((s) => s.renameGroup);
  const busy = useAppStore((s) => s.infoBusy);
  const [name, setName] = useState(info.name ?? '');
  const [touched, setTouched] = useState(false);
  const trimmed = name.trim();
  const invalid =
    trimmed === '' ? 'Enter a group name.' : trimmed.length > 100 ? 'At most 100 characters.' : null;
  return (
    <form
      className="dialog-form"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (!invalid) void rename(trimmed);
      }}
    >
      <TextField
        label="Group name"
        testId="info-rename-input"
        value={name}
        error={touched ? invalid : null}
        onChange={(e) => setName(e.target.value)}
      />
      <div className="dialog-actions dialog-actions--start">
        <Button
          type="submit"
          testId="info-rename-save"
          variant="secondary"
          busy={busy === 'rename'}
          busyLabel="Renaming…"
          disabled={trimmed === (info.name ?? '')}
        >
          Rename group
        </Button>
      </div>
    </form>
  );
}

function AddMembers({ info }: { info: ConversationInfo }) {
  const contacts = useAppStore((s) => s.contacts);
  const add = useAppStore((s) => s.addGroupMembers);
  const busy = useAppStore((s) => s.infoBusy);
  const [picked, setPicked] = useState<number[]>([]);
  const ids = useId();
  const inGroup = new Set(info.members.map((m) => m.identityKey));
  const candidates = contacts.filter((c) => !c.blocked && !inGroup.has(c.identityKey));
  if (candidates.length === 0) return null;
  return (
    <form
      className="dialog-section"
      aria-labelledby={`${ids}-add`}
      onSubmit={(e) => {
        e.preventDefault();
        if (picked.length > 0) void add(picked).then((ok) => ok && setPicked([]));
      }}
    >
      <fieldset className="member-picker">
        <legend className="dialog-section__title" id={`${ids}-add`}>
          Add members
        </legend>
        <ul className="member-picker__list">
          {candidates.map((c) => (
            <li key={c.id} className="member-picker__item">
              <input
                type="checkbox"
                id={`${ids}-c${c.id}`}
                data-testid={`info-add-${c.id}`}
                checked={picked.includes(c.id)}
                onChange={(e) =>
                  setPicked((p) => (e.target.checked ? [...p, c.id] : p.filter((x) => x !== c.id)))
                }
              />
              <label htmlFor={`${ids}-c${c.id}`}>{c.name}</label>
            </li>
          ))}
        </ul>
      </fieldset>
      <div className="dialog-actions dialog-actions--start">
        <Button
          type="submit"
          testId="info-add-submit"
          variant="secondary"
          disabled={picked.length === 0}
          busy={busy === 'add'}
          busyLabel="Adding…"
        >
          {picked.length > 1 ? `Add ${picked.length} members` : 'Add member'}
        </Button>
      </div>
    </form>
  );
}

function ConfirmChange({
  confirm,
  info,
  onDone,
}: {
  confirm: NonNullable<Confirm>;
  info: ConversationInfo | null;
  onDone: () => void;
}) {
  const leave = useAppStore((s) => s.leaveConversation);
  const removeMember = useAppStore((s) => s.removeGroupMember);
  const busy = useAppStore((s) => s.infoBusy);
  const leaving = confirm.kind === 'leave';
  return (
    <ConfirmDialog
      title={leaving ? 'Leave this group?' : `Remove ${confirm.member.name}?`}
      testId="info-confirm"
      cancelTestId="info-confirm-cancel"
      onCancel={onDone}
      actions={[
        {
          label: leaving ? 'Leave group' : 'Remove',
          testId: 'info-confirm-ok',
          busy: busy === 'leave' || busy === 'remove',
          busyLabel: leaving ? 'Leaving…' : 'Removing…',
          // Done either way: a failure is shown in the panel, with the member list as it is.
          onConfirm: () => void (leaving ? leave() : removeMember(confirm.member.identityKey)).then(onDone),
        },
      ]}
    >
      {leaving
        ? `You will stop receiving messages in “${info?.title ?? 'this group'}”. The history stays on this device, read-only. The others are told you left.`
        : `${confirm.member.name} will no longer receive this group’s messages. They keep what they already have.`}
    </ConfirmDialog>
  );
}

import { useEffect, useId, useRef, useState, type RefObject } from 'react';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';
import { TextField } from '../../components/TextField';
import { useAppStore } from '../../store/appStore';

/** "New group": a name and some contacts; creating it opens the group. */
export function NewGroupDialog({
  onClose,
  onCreated,
  fallbackFocus,
}: {
  onClose: () => void;
  /** Focused on close when nothing had focus on open (Ctrl+Shift+N from the page): the New group button. */
  fallbackFocus?: RefObject<HTMLElement | null>;
  onCreated: (conversationId: number) => void;
}) {
  const allContacts = useAppStore((s) => s.contacts);
  const contacts = allContacts.filter((c) => !c.blocked);
  const loadContacts = useAppStore((s) => s.loadContacts);
  const createGroup = useAppStore((s) => s.createGroup);
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const ids = useId();

  useEffect(() => {
    void loadContacts();
  }, [loadContacts]);

  function toggle(id: number, on: boolean) {
    setPicked((list) => (on ? [...list, id] : list.filter((x) => x !== id)));
  }

  async function create() {
    if (busy) return;
    if (name.trim() === '') {
      setError('Enter a group name.');
      nameRef.current?.focus();
      return;
    }
    if (picked.length === 0) {
      setError('Pick at least one contact.');
      return;
    }
    setBusy(true);
    setError(null);
    const reply = await createGroup(name.trim(), picked);
    if (reply.ok) {
      onCreated(reply.value.conversationId);
      return;
    }
    setError(reply.error.message);
    setBusy(false);
  }

  return (
    <Modal
      title="New group"
      testId="new-group-dialog"
      onClose={onClose}
      initialFocus={nameRef}
      fallbackFocus={fallbackFocus}
    >
      <form
        className="dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <TextField
          ref={nameRef}
          label="Group name"
          testId="new-group-name"
          value={name}
          maxLength={100}
          autoComplete="off"
          onChange={(e) => setName(e.target.value)}
        />
        <fieldset className="member-picker">
          <legend className="field__label">Members</legend>
          {contacts.length === 0 ? (
            <p className="dialog-section__text" data-testid="new-group-no-contacts">
              Add contacts first: a group needs at least one other person.
            </p>
          ) : (
            <ul className="member-picker__list">
              {contacts.map((c) => {
                const id = `${ids}-contact-${c.id}`;
                return (
                  <li key={c.id} className="member-picker__item">
                    <input
                      id={id}
                      type="checkbox"
                      data-testid="new-group-member"
                      data-contact-id={c.id}
                      checked={picked.includes(c.id)}
                      onChange={(e) => toggle(c.id, e.target.checked)}
                    />
                    <label htmlFor={id}>{c.name}</label>
                  </li>
                );
              })}
            </ul>
          )}
        </fieldset>
        {error ? (
          <p className="dialog-error" role="alert" data-testid="new-group-error">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <Button testId="new-group-cancel" variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" testId="new-group-submit" busy={busy} busyLabel="Creating…">
            Create group
          </Button>
        </div>
      </form>
    </Modal>
  );
}

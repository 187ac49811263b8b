import { Modal } from '../../components/Modal';
import { shortcutList } from '../home/shortcuts';
import { isMac } from '../home/useLockShortcut';

/** Every keyboard shortcut, grouped (Ctrl+/ or ?). */
export function ShortcutsHelp({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keyboard shortcuts" testId="shortcuts-help" onClose={onClose}>
      <div className="shortcuts">
        {shortcutList(isMac).map((group) => (
          <section key={group.group} className="shortcuts__group" aria-label={group.group}>
            <h3 className="shortcuts__heading">{group.group}</h3>
            <dl className="shortcuts__list">
              {group.items.map((item) => (
                <div key={item.what} className="shortcuts__row">
                  <dt className="shortcuts__what">{item.what}</dt>
                  <dd className="shortcuts__keys">
                    <kbd className="kbd">{item.keys}</kbd>
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </Modal>
  );
}

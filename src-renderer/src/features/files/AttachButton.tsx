import { useRef } from 'react';
import { useAppStore } from '../../store/appStore';

/**
 * The composer's paperclip: picks one or more files and sends each into the
 * conversation. The desktop app uses the native open dialog (the core reads
 * the files; this window gets handles); the web shell the browser's picker,
 * whose files are uploaded over the bridge.
 */
export function AttachButton({ conversationId }: { conversationId: number }) {
  const input = useRef<HTMLInputElement>(null);
  const sendFiles = useAppStore((s) => s.sendFiles);
  const attachWithDialog = useAppStore((s) => s.attachWithDialog);
  const desktop = useAppStore((s) => s.appInfo?.shell === 'electron');
  return (
    <>
      <button
        type="button"
        className="icon-btn composer__attach"
        data-testid="composer-attach"
        onClick={() => (desktop ? void attachWithDialog(conversationId) : input.current?.click())}
        title="Attach files"
      >
        <svg className="icon" viewBox="0 0 24 24" aria-hidden="true">
          <path
            d="M21 11.5 12.6 19.9a5.5 5.5 0 0 1-7.8-7.8l8.5-8.5a3.7 3.7 0 0 1 5.2 5.2l-8.5 8.5a1.8 1.8 0 0 1-2.6-2.6l7.8-7.8"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.8"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
        <span className="visually-hidden">Attach files</span>
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="composer-file-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length > 0) void sendFiles(conversationId, files);
        }}
      />
    </>
  );
}

import { useEffect, useState } from 'react';
import { useAppStore } from '../../store/appStore';

function hasFiles(e: DragEvent): boolean {
  return [...(e.dataTransfer?.types ?? [])].includes('Files');
}

/**
 * While a conversation is open: files dropped anywhere on the window, and
 * images pasted (Ctrl/Cmd+V), are sent into it. Shows a hint while
 * something is dragged over the window.
 */
export function FileDropTarget({ conversationId }: { conversationId: number }) {
  const sendFiles = useAppStore((s) => s.sendFiles);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth += 1;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      // Without this the browser would navigate to the dropped file.
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length > 0) void sendFiles(conversationId, files);
    };
    const paste = (e: ClipboardEvent) => {
      const files = [...(e.clipboardData?.files ?? [])].filter((f) => f.type.startsWith('image/'));
      if (files.length === 0) return;
      // Text still pastes as text; only pasted images become files.
      e.preventDefault();
      void sendFiles(
        conversationId,
        files.map((f, i) =>
          f.name && f.name !== 'image.png'
            ? f
            : new File(
                [f],
                `pasted-${new Date().toISOString().replace(/[:.]/g, '-')}${i ? `-${i}` : ''}.png`,
                {
                  type: f.type,
                },
              ),
        ),
      );
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    document.addEventListener('paste', paste);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
      document.removeEventListener('paste', paste);
    };
  }, [conversationId, sendFiles]);

  if (!dragging) return null;
  return (
    <div className="drop-hint" data-testid="drop-hint" aria-live="polite">
      <p>Drop files to send them</p>
    </div>
  );
}

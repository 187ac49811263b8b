import { useEffect, useMemo, useState } from 'react';
import { Modal } from '../../components/Modal';
import { useAppStore } from '../../store/appStore';
import { formatBytes, isViewableImage } from './fileFormat';

/**
 * The image viewer: the chosen image full size; ← and → step through the
 * other images of the loaded conversation, Escape (or the backdrop) closes.
 * The bytes come from the core in ranges into a Blob; its object URL is
 * revoked as soon as another image replaces it or the viewer closes.
 */
export function ImageViewer() {
  const messageId = useAppStore((s) => s.viewerMessageId);
  const files = useAppStore((s) => s.files);
  const messages = useAppStore((s) => s.chat?.messages);
  const closeViewer = useAppStore((s) => s.closeViewer);
  const openViewer = useAppStore((s) => s.openViewer);
  const fileBlob = useAppStore((s) => s.fileBlob);
  const saveFile = useAppStore((s) => s.saveFile);
  // What was loaded, for which message: a stale answer for another image is simply not shown.
  const [loaded, setLoaded] = useState<{ messageId: number; url: string | null; failed: boolean } | null>(
    null,
  );
  const url = loaded?.messageId === messageId ? loaded.url : null;
  const failed = loaded?.messageId === messageId && loaded.failed;

  const images = useMemo(
    () =>
      (messages ?? [])
        .map((m) => files[m.id])
        .filter((f) => f !== undefined && f.state === 'complete' && isViewableImage(f.mime))
        .map((f) => f?.messageId ?? 0),
    [messages, files],
  );
  const index = messageId === null ? -1 : images.indexOf(messageId);
  const file = messageId === null ? undefined : files[messageId];

  useEffect(() => {
    if (messageId === null) return;
    let live = true;
    let made: string | null = null;
    fileBlob(messageId)
      .then((blob) => {
        if (!live) return;
        made = URL.createObjectURL(blob);
        setLoaded({ messageId, url: made, failed: false });
      })
      .catch(() => {
        if (live) setLoaded({ messageId, url: null, failed: true });
      });
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [messageId, fileBlob]);

  useEffect(() => {
    if (messageId === null) return;
    const onKey = (e: KeyboardEvent) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0 || index < 0) return;
      const next = images[index + step];
      if (next !== undefined) {
        e.preventDefault();
        openViewer(next);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [messageId, images, index, openViewer]);

  if (messageId === null || !file) return null;
  return (
    <Modal title={file.name} testId="image-viewer" onClose={closeViewer}>
      <div className="viewer">
        <div className="viewer__stage">
          {url ? (
            <img className="viewer__image" data-testid="viewer-image" src={url} alt={file.name} />
          ) : failed ? (
            <p role="alert">This image could not be shown.</p>
          ) : (
            <p className="viewer__loading">Loading…</p>
          )}
        </div>
        <div className="viewer__bar">
          <button
            type="button"
            className="file-action"
            data-testid="viewer-prev"
            disabled={index <= 0}
            onClick={() => openViewer(images[index - 1] ?? messageId)}
          >
            ← Previous
          </button>
          <span className="viewer__info" data-testid="viewer-position">
            {index >= 0 ? `${index + 1} of ${images.length}` : ''} · {formatBytes(file.size)}
          </span>
          <button
            type="button"
            className="file-action"
            data-testid="viewer-save"
            onClick={() => void saveFile(messageId)}
          >
            Save
          </button>
          <button
            type="button"
            className="file-action"
            data-testid="viewer-next"
            disabled={index < 0 || index >= images.length - 1}
            onClick={() => openViewer(images[index + 1] ?? messageId)}
          >
            Next →
          </button>
        </div>
      </div>
    </Modal>
  );
}

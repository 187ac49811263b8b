import { useEffect, useState } from 'react';
import type { FileView } from '../../../../src-shared/contract/areas/files';
import { useAppStore } from '../../store/appStore';
import { formatBytes } from './fileFormat';
import { mediaKind } from './fileName';

/** Larger files are not loaded into the window to play: Save opens them in the system's player. */
export const INLINE_MEDIA_MAX_BYTES = 256 * 1024 * 1024;

/**
 * An audio or video player for a downloaded file (issue #17 item 19). The
 * bytes are read from the core only when the user presses Play (a Blob and
 * its object URL, revoked when the player goes away); the CSP allows media
 * from blob: URLs only.
 */
export function FileMedia({ file }: { file: FileView }) {
  const fileBlob = useAppStore((s) => s.fileBlob);
  const [state, setState] = useState<'idle' | 'loading' | 'failed' | { url: string }>('idle');
  const kind = mediaKind(file.mime);
  const loading = state === 'loading';

  useEffect(() => {
    if (loading) {
      let live = true;
      let made: string | null = null;
      fileBlob(file.messageId)
        .then((blob) => {
          if (!live) return;
          made = URL.createObjectURL(blob);
          setState({ url: made });
        })
        .catch(() => {
          if (live) setState('failed');
        });
      return () => {
        live = false;
        if (made) URL.revokeObjectURL(made);
      };
    }
    return undefined;
  }, [loading, file.messageId, fileBlob]);

  if (!kind) return null;
  if (file.size > INLINE_MEDIA_MAX_BYTES) {
    return (
      <p className="file-media__note" data-testid="file-media-too-big">
        Too large to play here ({formatBytes(file.size)}): save it to play it.
      </p>
    );
  }
  if (typeof state === 'object') {
    return kind === 'audio' ? (
      // A file from a contact comes without a caption track.
      <audio
        className="file-media file-media--audio"
        data-testid="file-audio"
        src={state.url}
        controls
        autoPlay
      />
    ) : (
      <video
        className="file-media file-media--video"
        data-testid="file-video"
        src={state.url}
        controls
        autoPlay
      />
    );
  }
  return (
    <div className="file-media__start">
      <button
        type="button"
        className="file-action"
        data-testid="file-play"
        disabled={state === 'loading'}
        onClick={() => setState('loading')}
        aria-label={`Play ${file.name}`}
      >
        {state === 'loading' ? 'Loading…' : kind === 'audio' ? '▶ Play' : '▶ Play video'}
      </button>
      {state === 'failed' ? (
        <span className="file-bubble__status file-bubble__status--error" role="alert">
          This file could not be played.
        </span>
      ) : null}
    </div>
  );
}

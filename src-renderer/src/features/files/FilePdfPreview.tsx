import { useEffect, useRef, useState } from 'react';
import type { FileView } from '../../../../src-shared/contract/areas/files';
import { useAppStore } from '../../store/appStore';
import { formatBytes } from './fileFormat';
import { renderFirstPage } from './pdfPreview';

/** Larger PDFs are not loaded into the window to preview: Save opens them in the system's reader. */
export const PDF_PREVIEW_MAX_BYTES = 64 * 1024 * 1024;
const PREVIEW_WIDTH = 296;

export function isPdf(mime: string, name: string): boolean {
  return mime === 'application/pdf' || (mime === 'application/octet-stream' && /\.pdf$/i.test(name));
}

/**
 * A preview of a PDF's first page in the file bubble (issue #17 item 19),
 * drawn on Preview: the bytes are read from the core only then. A damaged or
 * encrypted PDF says so and leaves Save.
 */
export function FilePdfPreview({ file }: { file: FileView }) {
  const fileBlob = useAppStore((s) => s.fileBlob);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<'idle' | 'loading' | 'failed' | { pages: number }>('idle');
  const loading = state === 'loading';

  useEffect(() => {
    if (!loading) return;
    let live = true;
    void (async () => {
      try {
        const bytes = new Uint8Array(await (await fileBlob(file.messageId)).arrayBuffer());
        const canvas = canvasRef.current;
        if (!live || !canvas) return;
        const { pages } = await renderFirstPage(bytes, canvas, PREVIEW_WIDTH);
        if (live) setState({ pages });
      } catch {
        if (live) setState('failed');
      }
    })();
    return () => {
      live = false;
    };
  }, [loading, file.messageId, fileBlob]);

  if (file.size > PDF_PREVIEW_MAX_BYTES) {
    return (
      <p className="file-media__note" data-testid="file-pdf-too-big">
        Too large to preview here ({formatBytes(file.size)}): save it to read it.
      </p>
    );
  }
  const shown = typeof state === 'object';
  return (
    <div className="file-pdf">
      <canvas
        ref={canvasRef}
        className={`file-pdf__page${shown ? '' : ' file-pdf__page--hidden'}`}
        data-testid="file-pdf-page"
        role="img"
        aria-label={`First page of ${file.name}`}
      />
      {shown ? (
        <span className="file-bubble__status" data-testid="file-pdf-pages">
          Page 1 of {state.pages}
        </span>
      ) : (
        <div className="file-media__start">
          <button
            type="button"
            className="file-action"
            data-testid="file-pdf-preview"
            disabled={loading}
            onClick={() => setState('loading')}
            aria-label={`Preview ${file.name}`}
          >
            {loading ? 'Loading…' : 'Preview'}
          </button>
          {state === 'failed' ? (
            <span className="file-bubble__status file-bubble__status--error" role="alert">
              This PDF could not be shown. Save it to open it.
            </span>
          ) : null}
        </div>
      )}
    </div>
  );
}

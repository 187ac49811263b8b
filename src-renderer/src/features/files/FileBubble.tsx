import { useEffect } from 'react';
import type { MessageView } from '../../../../src-shared/contract';
import type { FileView } from '../../../../src-shared/contract/areas/files';
import { useAppStore } from '../../store/appStore';
import { FileMedia } from './FileMedia';
import { FilePdfPreview, isPdf } from './FilePdfPreview';
import { formatBytes, isViewableImage, kindLabel } from './fileFormat';
import { mediaKind, splitFileName } from './fileName';

/** What the line under the name says, by direction and state. */
function statusOf(file: FileView): string {
  const pct = file.size > 0 ? Math.floor((file.bytesDone / file.size) * 100) : 100;
  if (file.error) return file.error;
  if (file.direction === 'outgoing') {
    if (file.state === 'cancelled') return 'You stopped sending this file.';
    if (file.bytesDone > 0 && file.bytesDone < file.size) return `Sending… ${pct}%`;
    return formatBytes(file.size);
  }
  switch (file.state) {
    case 'pending':
      return `${formatBytes(file.size)} · not downloaded`;
    case 'transferring':
      return `Downloading… ${pct}% of ${formatBytes(file.size)}`;
    case 'cancelled':
      return `${formatBytes(file.size)} · download cancelled`;
    case 'complete':
      return formatBytes(file.size);
    default:
      return 'Could not be downloaded.';
  }
}

/**
 * The file part of a message: thumbnail (images), kind, name, size, progress
 * while bytes move either way, and what the user can do now (download,
 * cancel, save, open in the viewer). Name and thumbnail come from another
 * user: the name is a text child, the thumbnail a data: URL of bytes the core
 * checked to be JPEG/PNG/WebP.
 */
export function FileBubble({ message }: { message: MessageView }) {
  const file = useAppStore((s) => s.files[message.id]);
  const requestFiles = useAppStore((s) => s.requestFiles);
  const downloadFile = useAppStore((s) => s.downloadFile);
  const cancelFile = useAppStore((s) => s.cancelFile);
  const saveFile = useAppStore((s) => s.saveFile);
  const openViewer = useAppStore((s) => s.openViewer);

  useEffect(() => {
    requestFiles([message.id]);
  }, [message.id, requestFiles]);

  if (!file) {
    return (
      <div className="file-bubble" data-testid="file-bubble" aria-busy="true">
        <span className="file-bubble__name">{message.body ?? 'File'}</span>
      </div>
    );
  }

  const complete = file.state === 'complete';
  const viewable = complete && isViewableImage(file.mime);
  const incomingBusy = file.direction === 'incoming' && file.state === 'transferring';
  const outgoingBusy =
    file.direction === 'outgoing' &&
    file.state === 'complete' &&
    file.bytesDone > 0 &&
    file.bytesDone < file.size;
  const canDownload =
    file.direction === 'incoming' &&
    (file.state === 'pending' ||
      file.state === 'cancelled' ||
      (file.state === 'failed' && !/described/.test(file.error ?? '')));

  return (
    <div
      className={`file-bubble${file.thumbnail ? ' file-bubble--image' : ''}`}
      data-testid="file-bubble"
      data-state={file.state}
      data-direction={file.direction}
    >
      {file.thumbnail ? (
        <button
          type="button"
          className="file-bubble__thumb"
          data-testid="file-thumbnail"
          disabled={!viewable}
          onClick={() => openViewer(message.id)}
          aria-label={viewable ? `Open ${file.name}` : file.name}
        >
          <img
            src={file.thumbnail}
            alt=""
            width={file.width ?? undefined}
            height={file.height ?? undefined}
          />
        </button>
      ) : null}
      <div className="file-bubble__row">
        <span className="file-bubble__icon" aria-hidden="true">
          {kindLabel(file.name, file.mime)}
        </span>
        <span className="file-bubble__text">
          <FileName name={file.name} />
          <span
            className={`file-bubble__status${file.error ? ' file-bubble__status--error' : ''}`}
            data-testid="file-status"
            role={file.error ? 'alert' : undefined}
          >
            {statusOf(file)}
          </span>
        </span>
      </div>
      {complete && mediaKind(file.mime) ? <FileMedia file={file} /> : null}
      {complete && isPdf(file.mime, file.name) ? <FilePdfPreview file={file} /> : null}
      {incomingBusy || outgoingBusy ? (
        <progress
          className="file-bubble__progress"
          data-testid="file-progress"
          max={file.size || 1}
          value={file.bytesDone}
          aria-label={incomingBusy ? `Downloading ${file.name}` : `Sending ${file.name}`}
        />
      ) : null}
      <div className="file-bubble__actions">
        {canDownload ? (
          <button
            type="button"
            className="file-action"
            data-testid="file-download"
            onClick={() => void downloadFile(file.attachmentId)}
          >
            Download
          </button>
        ) : null}
        {incomingBusy || outgoingBusy ? (
          <button
            type="button"
            className="file-action"
            data-testid="file-cancel"
            onClick={() => void cancelFile(file.attachmentId)}
          >
            Cancel
          </button>
        ) : null}
        {viewable ? (
          <button
            type="button"
            className="file-action"
            data-testid="file-open"
            onClick={() => openViewer(message.id)}
          >
            Open
          </button>
        ) : null}
        {complete ? (
          <button
            type="button"
            className="file-action"
            data-testid="file-save"
            onClick={() => void saveFile(message.id)}
          >
            Save
          </button>
        ) : null}
      </div>
    </div>
  );
}

/**
 * The name, cut in the middle when it does not fit: the start takes the
 * ellipsis, the end (last characters and extension) always shows. The whole
 * name is in the tooltip, and read out whole.
 */
function FileName({ name }: { name: string }) {
  const { start, end } = splitFileName(name);
  return (
    <span className="file-bubble__name" data-testid="file-name" title={name}>
      <span className="file-bubble__name-start">{start}</span>
      {end ? <span className="file-bubble__name-end">{end}</span> : null}
    </span>
  );
}

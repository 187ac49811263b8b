import jsQR from 'jsqr';
import { useEffect, useRef, useState, type RefObject } from 'react';

export type ScanState = { kind: 'starting' } | { kind: 'scanning' } | { kind: 'error'; message: string };

/** Frames are decoded about 6 times a second, scaled to at most this width: enough for a code held up to a laptop camera. */
const SCAN_EVERY_MS = 160;
const MAX_SCAN_WIDTH = 800;

/** Whether this machine has a camera at all (before any permission is asked): the Scan button shows only then. */
export function useHasCamera(): boolean {
  const [has, setHas] = useState(false);
  useEffect(() => {
    let live = true;
    const devices = navigator.mediaDevices;
    if (!devices?.enumerateDevices) return;
    void devices.enumerateDevices().then(
      (list) => {
        if (live) setHas(list.some((d) => d.kind === 'videoinput'));
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);
  return has;
}

/** Why the camera did not start, in words a user can act on (getUserMedia's DOMException names). */
function cameraProblem(err: unknown): string {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Parley may not use the camera. Allow it in your system’s privacy settings, or paste the invite instead.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No camera was found. Paste the invite instead.';
  if (name === 'NotReadableError') return 'The camera is busy in another app. Close it and try again.';
  return 'The camera could not start. Paste the invite instead.';
}

/**
 * Shows the camera in the returned `video` element and decodes QR codes from its frames (jsQR, in
 * this thread: a frame at 800 px takes a few milliseconds). `onCode` gets every
 * decoded text and answers whether to stop. The camera is released when the
 * hook's owner unmounts or `onCode` accepts: nothing keeps it on in the
 * background. Video only; the microphone is never asked for.
 */
export function useQrScanner(onCode: (text: string) => boolean): {
  video: RefObject<HTMLVideoElement | null>;
  state: ScanState;
} {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<ScanState>({ kind: 'starting' });
  const onCodeRef = useRef(onCode);
  useEffect(() => {
    onCodeRef.current = onCode;
  }, [onCode]);

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const release = () => {
      stopped = true;
      clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
      stream = null;
      if (video.current) video.current.srcObject = null;
    };

    const tick = () => {
      if (stopped) return;
      const v = video.current;
      if (v && context && v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && v.videoWidth > 0) {
        const scale = Math.min(1, MAX_SCAN_WIDTH / v.videoWidth);
        const width = Math.round(v.videoWidth * scale);
        const height = Math.round(v.videoHeight * scale);
        canvas.width = width;
        canvas.height = height;
        context.drawImage(v, 0, 0, width, height);
        const frame = context.getImageData(0, 0, width, height);
        // A phone in dark mode shows light modules on dark: try both.
        const code = jsQR(frame.data, width, height, { inversionAttempts: 'attemptBoth' });
        if (code && code.data !== '' && onCodeRef.current(code.data)) {
          release();
          return;
        }
      }
      timer = setTimeout(tick, SCAN_EVERY_MS);
    };

    void (async () => {
      if (!navigator.mediaDevices?.getUserMedia) {
        setState({ kind: 'error', message: 'This window cannot use a camera. Paste the invite instead.' });
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } },
        });
      } catch (err) {
        if (!stopped) setState({ kind: 'error', message: cameraProblem(err) });
        return;
      }
      const v = video.current;
      if (stopped || !v) {
        release();
        return;
      }
      v.srcObject = stream;
      await v.play().catch(() => {});
      if (stopped) return;
      setState({ kind: 'scanning' });
      tick();
    })();
    return release;
  }, []);

  return { video, state };
}

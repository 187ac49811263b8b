/**
 * The first page of a PDF drawn into a canvas with Mozilla's PDF.js (issue
 * #17 item 19). Loaded on first use (its own chunks). The PDF is parsed in
 * PDF.js's worker, served from the app's own origin (the CSP's script-src
 * 'self' covers it); PDF.js 6 has no eval path (and the CSP forbids one),
 * no scripting, no XFA forms, no links here: only the page's pixels come out.
 */
export async function renderFirstPage(
  data: Uint8Array,
  canvas: HTMLCanvasElement,
  cssWidth: number,
): Promise<{ pages: number }> {
  const [pdfjs, worker] = await Promise.all([
    import('pdfjs-dist'),
    import('pdfjs-dist/build/pdf.worker.min.mjs?url'),
  ]);
  pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
  const task = pdfjs.getDocument({
    data,
    enableXfa: false,
    stopAtErrors: false,
  });
  try {
    const doc = await task.promise;
    const page = await doc.getPage(1);
    const base = page.getViewport({ scale: 1 });
    const scale = cssWidth / base.width;
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale: scale * ratio });
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
    canvas.style.height = `${Math.floor(viewport.height / ratio)}px`;
    await page.render({ canvas, viewport, background: '#ffffff' }).promise;
    return { pages: doc.numPages };
  } finally {
    await task.destroy();
  }
}

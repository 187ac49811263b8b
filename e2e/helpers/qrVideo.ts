import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

/**
 * A Y4M video of one QR code, for Chromium's fake camera
 * (`--use-fake-device-for-media-stream --use-file-for-fake-video-capture=FILE`):
 * dark modules on white with the 4-module quiet zone ISO/IEC 18004 §6.3.8
 * asks for, centred in a 960×720 frame, two identical frames (Chromium loops
 * the file). YUV4MPEG2 with 4:2:0 chroma: a Y plane then quarter-size U and V
 * planes, all grey (128) since the picture has no colour.
 */
export function writeQrVideo(path: string, text: string): void {
  const width = 960;
  const height = 720;
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const quiet = 4;
  const module = Math.floor((height * 0.9) / (size + 2 * quiet));
  const left = Math.floor((width - module * size) / 2);
  const top = Math.floor((height - module * size) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!qr.modules.get(row, col)) continue;
      for (let y = 0; y < module; y++) {
        const start = (top + row * module + y) * width + left + col * module;
        luma.fill(16, start, start + module);
      }
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  writeFileSync(
    path,
    Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]),
  );
}

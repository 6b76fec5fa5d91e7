import qrcode from 'qrcode-generator';

/** The dark modules of a QR code as one SVG path (no inline styles: CSP). */
export function qrPath(text: string): { size: number; d: string } {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
    }
  }
  return { size: n + 8, d };
}

export function QRCode({ text, label }: { text: string; label: string }) {
  const { size, d } = qrPath(text);
  return (
    <svg class="qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} xmlns="http://www.w3.org/2000/svg">
      <rect class="qr-bg" width={size} height={size} />
      <path class="qr-fg" d={d} />
    </svg>
  );
}

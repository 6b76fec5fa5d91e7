// A random (version 4) UUID. crypto.randomUUID exists only in secure
// contexts, and a phone that opened http://<laptop-ip>:8080 from the QR code
// is not one; getRandomValues works everywhere.
export function newUUID(rand: (a: Uint8Array<ArrayBuffer>) => void = (a) => void crypto.getRandomValues(a)): string {
  const b = new Uint8Array(16);
  rand(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

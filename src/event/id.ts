/**
 * The event id (DESIGN §3): a random (version 4) UUID, unique per notification run, also the
 * delivery id. Made from Math.random rather than node:crypto: loading node:crypto costs 5–7 ms of
 * every start (callgrind: +18 M instructions on Node 20, +28 M on Node 24), more than the rest of a
 * dry run, and this id has to be unique, not secret. V8 seeds Math.random in each process from the
 * operating system's entropy, and wherever the id matters to a receiver (webhook-id, a delivery
 * header) the signature over it comes from the secret, not from the id.
 */
export function newEventId(random: () => number = Math.random): string {
  const digits: number[] = [];
  for (let i = 0; i < 32; i++) digits.push(Math.floor(random() * 16) & 0xf);
  digits[12] = 4; // version 4: random
  digits[16] = ((digits[16] ?? 0) & 0x3) | 0x8; // variant 10xx (RFC 9562)
  const hex = digits.map((d) => d.toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

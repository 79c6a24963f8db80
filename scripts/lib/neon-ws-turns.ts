/**
 * Reads what Neon's driver sends through its WebSocket (the client → server direction of a
 * connection to the ws-proxy), for scripts/lib/delay-proxy.ts: the HTTP upgrade, then WebSocket
 * frames (masked, as every client's are) whose binary payload is the Postgres frontend protocol.
 * Each chunk is labelled with what starts in it: "ws upgrade", "startup" (the untyped first
 * message), the type byte of each Postgres message ("Q" simple query, "P"/"B"/"D"/"E"/"S" the
 * extended protocol, "p" a password/SASL answer, "X" terminate) and "ws close"/"ws ping"/"ws pong".
 *
 * `turnKind` then names a turn by what it was for: the upgrade, the startup (and auth), a
 * statement, or the goodbye (terminate / close, which the answer never waits for).
 */
import type { Inspector } from './delay-proxy';

export function neonWsInspector(): Inspector {
  let http = Buffer.alloc(0);
  let upgraded = false;
  // The current WebSocket frame: its header bytes until complete, then how much payload is left.
  let header = Buffer.alloc(0);
  let remaining = 0;
  let mask: Buffer | null = null;
  let maskAt = 0;
  let opcode = 0;
  // The Postgres stream inside the binary frames.
  let pg = Buffer.alloc(0);
  let pgSkip = 0;
  let startupSeen = false;

  const pgFeed = (bytes: Buffer, labels: string[]) => {
    let data = bytes;
    while (data.length) {
      if (pgSkip > 0) {
        const n = Math.min(pgSkip, data.length);
        pgSkip -= n;
        data = data.subarray(n);
        continue;
      }
      pg = Buffer.concat([pg, data]);
      data = Buffer.alloc(0);
      if (!startupSeen) {
        if (pg.length < 4) return;
        startupSeen = true;
        labels.push('startup');
        pgSkip = pg.readUInt32BE(0);
      } else {
        if (pg.length < 5) return;
        labels.push(String.fromCharCode(pg[0]!));
        pgSkip = 1 + pg.readUInt32BE(1);
      }
      // What is buffered beyond this message's start is fed again (after skipping the message).
      data = pg;
      pg = Buffer.alloc(0);
    }
  };

  const wsFeed = (bytes: Buffer, labels: string[]) => {
    let data = bytes;
    while (data.length) {
      if (remaining > 0) {
        const n = Math.min(remaining, data.length);
        const payload = Buffer.from(data.subarray(0, n));
        if (mask) for (let i = 0; i < n; i++) payload[i] = payload[i]! ^ mask[(maskAt + i) & 3]!;
        maskAt += n;
        remaining -= n;
        data = data.subarray(n);
        if (opcode === 2 || opcode === 0) pgFeed(payload, labels);
        continue;
      }
      header = Buffer.concat([header, data]);
      data = Buffer.alloc(0);
      if (header.length < 2) return;
      const masked = (header[1]! & 0x80) !== 0;
      const len7 = header[1]! & 0x7f;
      const extra = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      const need = 2 + extra + (masked ? 4 : 0);
      if (header.length < need) return;
      const frameOpcode = header[0]! & 0x0f;
      if (frameOpcode !== 0) opcode = frameOpcode;
      remaining = len7 === 126 ? header.readUInt16BE(2) : len7 === 127 ? Number(header.readBigUInt64BE(2)) : len7;
      mask = masked ? Buffer.from(header.subarray(2 + extra, need)) : null;
      maskAt = 0;
      if (frameOpcode === 8) labels.push('ws close');
      else if (frameOpcode === 9) labels.push('ws ping');
      else if (frameOpcode === 10) labels.push('ws pong');
      data = header.subarray(need);
      header = Buffer.alloc(0);
    }
  };

  return (chunk) => {
    const labels: string[] = [];
    if (upgraded) {
      wsFeed(chunk, labels);
      return labels;
    }
    http = Buffer.concat([http, chunk]);
    const end = http.indexOf('\r\n\r\n');
    if (end < 0) return http.length === chunk.length ? ['ws upgrade'] : [];
    upgraded = true;
    if (http.length === chunk.length) labels.push('ws upgrade');
    const rest = http.subarray(end + 4);
    http = Buffer.alloc(0);
    wsFeed(rest, labels);
    return labels;
  };
}

export type TurnKind = 'upgrade' | 'startup' | 'statement' | 'goodbye' | 'other';

/** What a turn on Neon's WebSocket was for, from the labels the inspector gave it. */
export function turnKind(labels: readonly string[]): TurnKind {
  if (labels.includes('ws upgrade')) return 'upgrade';
  if (labels.includes('startup') || labels.includes('p')) return 'startup';
  if (labels.some((l) => l === 'Q' || l === 'P' || l === 'B' || l === 'E' || l === 'S' || l === 'D' || l === 'H')) return 'statement';
  if (labels.length && labels.every((l) => l === 'X' || l === 'ws close')) return 'goodbye';
  return 'other';
}

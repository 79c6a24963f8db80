/**
 * The edge benchmark's instruments (scripts/bench/edge.ts): the delay proxy delays each direction
 * and keeps order, and counts turns; the Neon WebSocket inspector names what a turn carried; the
 * serial round trips are read off turns as a chain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { startDelayProxy, type DelayProxy } from '../../scripts/lib/delay-proxy';
import { neonWsInspector, turnKind } from '../../scripts/lib/neon-ws-turns';
import { serialRoundTrips, type RequestTurn } from '../../scripts/lib/edge-meter';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A server that answers each line with "ok <line>\n". */
async function lineServer(): Promise<number> {
  const server = net.createServer((s) => {
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        s.write(`ok ${buf.slice(0, i)}\n`);
        buf = buf.slice(i + 1);
      }
    });
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  return (server.address() as net.AddressInfo).port;
}

async function proxied(delayMs: number): Promise<DelayProxy> {
  const proxy = await startDelayProxy({ targetPort: await lineServer(), delayMs });
  closers.push(() => proxy.close());
  return proxy;
}

/** A client that sends a line and waits for its answer, `n` times in turn; the times each took. */
async function exchange(port: number, lines: string[]): Promise<{ answers: string[]; ms: number[] }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  const answers: string[] = [];
  const ms: number[] = [];
  let buf = '';
  for (const line of lines) {
    const t0 = performance.now();
    socket.write(`${line}\n`);
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        buf += d.toString();
        const i = buf.indexOf('\n');
        if (i < 0) return;
        answers.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
        socket.off('data', onData);
        resolve();
      };
      socket.on('data', onData);
    });
    ms.push(performance.now() - t0);
  }
  socket.end();
  await new Promise((r) => socket.once('close', r));
  return { answers, ms };
}

describe('the delay proxy', () => {
  it('adds its delay each way to every exchange and counts one turn per exchange', async () => {
    const proxy = await proxied(25);
    const { answers, ms } = await exchange(proxy.port, ['a', 'b', 'c']);
    expect(answers).toEqual(['ok a', 'ok b', 'ok c']);
    for (const m of ms) expect(m).toBeGreaterThanOrEqual(49);
    await new Promise((r) => setTimeout(r, 80));
    expect(proxy.connections).toHaveLength(1);
    const [conn] = proxy.connections;
    expect(conn!.turns).toHaveLength(3);
    // Each turn began once the answer to the one before was back: a round trip apart at least.
    expect(conn!.turns[1]!.at - conn!.turns[0]!.at).toBeGreaterThanOrEqual(49);
    expect(conn!.closedAt).not.toBeNull();
    expect(proxy.openCount()).toBe(0);
    const { chunks, heldMs } = proxy.forwarded();
    expect(heldMs / chunks).toBeGreaterThanOrEqual(24.5);
  });

  it('keeps the order of chunks when the delay is shortened while they are in flight', async () => {
    const proxy = await proxied(60);
    const socket = net.connect(proxy.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.write('1\n');
    await new Promise((r) => setTimeout(r, 5));
    proxy.delayMs = 0;
    socket.write('2\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toBe('ok 1\nok 2\n');
    socket.destroy();
  });
});

/** A masked WebSocket frame (as every client sends), binary unless told. */
function frame(payload: Buffer, opcode = 2): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!));
  const len = payload.length < 126 ? Buffer.from([0x80 | payload.length]) : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([Buffer.from([0x80 | opcode]), len, mask, masked]);
}
const pgMessage = (type: string, body: string) => {
  const b = Buffer.from(body);
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(4 + b.length, 1);
  return Buffer.concat([head, b]);
};
const startup = () => {
  const body = Buffer.from('user\0postgres\0\0');
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.writeUInt32BE(196608, 4);
  return Buffer.concat([head, body]);
};

describe("the Neon WebSocket inspector", () => {
  it('names the upgrade, the startup, statements and the goodbye, whatever the chunking', () => {
    const turns = [
      Buffer.from('GET /v1?address=127.0.0.1:5432 HTTP/1.1\r\nUpgrade: websocket\r\n\r\n'),
      frame(startup()),
      frame(pgMessage('Q', 'begin\0')),
      // The extended protocol, several messages in one frame, a long one among them.
      frame(Buffer.concat([pgMessage('P', `\0insert ${'x'.repeat(300)}\0\0\0`), pgMessage('B', '\0\0\0\0\0\0\0\0'), pgMessage('E', '\0\0\0\0\0'), pgMessage('S', '')])),
      Buffer.concat([frame(pgMessage('X', '')), frame(Buffer.from([3, 232]), 8)]),
    ];
    // Once as sent, once cut into 7-byte chunks (frames and messages split anywhere).
    const whole = neonWsInspector();
    expect(turns.map((t) => whole(t))).toEqual([['ws upgrade'], ['startup'], ['Q'], ['P', 'B', 'E', 'S'], ['X', 'ws close']]);
    const chunked = neonWsInspector();
    const labels = turns.map((t) => {
      const out: string[] = [];
      for (let i = 0; i < t.length; i += 7) out.push(...chunked(t.subarray(i, i + 7)));
      return out;
    });
    expect(labels).toEqual([['ws upgrade'], ['startup'], ['Q'], ['P', 'B', 'E', 'S'], ['X', 'ws close']]);
    expect(labels.map(turnKind)).toEqual(['upgrade', 'startup', 'statement', 'statement', 'goodbye']);
  });
});

describe('serial round trips', () => {
  const t = (path: 'db' | 'store', at: number): RequestTurn => ({ path, at, kind: path === 'db' ? 'statement' : 'http' });

  it('counts turns one after the other, a turn begun while another was in flight once', () => {
    // RTT 30: the store call at 0 overlaps the connection's upgrade at 2; then startup, two statements.
    const turns = [t('store', 0), t('db', 2), t('db', 33), t('db', 64), t('db', 95)];
    expect(serialRoundTrips(turns, 30, 130)).toEqual({ all: 4, db: 4, store: 1 });
    // The same store call made first, the database after its reply: one more.
    const serial = [t('store', 0), t('db', 31), t('db', 62), t('db', 93), t('db', 124)];
    expect(serialRoundTrips(serial, 30, 160)).toEqual({ all: 5, db: 4, store: 1 });
  });

  it('leaves out turns whose reply came after the answer (deferred work)', () => {
    expect(serialRoundTrips([t('db', 0), t('db', 31), t('store', 62)], 30, 70)).toEqual({ all: 2, db: 2, store: 0 });
  });
});

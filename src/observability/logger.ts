/**
 * Structured logs: one JSON object per line, so Workers Logs / any log drain can query fields.
 * The sink is injectable so tests can read what was logged.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string, level: LogLevel) => void;

const consoleSink: LogSink = (line, level) => {
  if (level === 'error') console.error(line);
  else console.log(line);
};

export function createLogger(opts: { level?: LogLevel; sink?: LogSink; base?: LogFields; now?: () => Date } = {}): Logger {
  return new JsonLogger(RANK[opts.level ?? 'info'], opts.sink ?? consoleSink, opts.now ?? (() => new Date()), opts.base ?? {});
}

/**
 * A class, not a bundle of closures: every request makes two children (the request id on every
 * line), and the Workers bundle names each closure it creates (keep_names), which cost more than
 * the logging itself on the webhook path.
 */
class JsonLogger implements Logger {
  constructor(
    private readonly min: number,
    private readonly sink: LogSink,
    private readonly now: () => Date,
    private readonly base: LogFields,
  ) {}

  debug(msg: string, fields?: LogFields) {
    this.emit('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields) {
    this.emit('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields) {
    this.emit('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields) {
    this.emit('error', msg, fields);
  }
  child(fields: LogFields): Logger {
    return new JsonLogger(this.min, this.sink, this.now, { ...this.base, ...fields });
  }

  private emit(level: LogLevel, msg: string, fields?: LogFields) {
    if (RANK[level] < this.min) return;
    this.sink(JSON.stringify({ ts: this.now().toISOString(), level, msg, ...this.base, ...fields }, errorReplacer), level);
  }
}

// Errors serialise to {} by default; keep what helps debugging, including the cause a wrapper
// hides (drizzle's "Failed query" says which statement, only its cause says why).
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: value.message,
      ...(typeof code === 'string' ? { code } : {}),
      stack: value.stack?.split('\n').slice(0, 6).join('\n'),
      ...(value.cause !== undefined ? { cause: value.cause } : {}),
    };
  }
  return value;
}

/** A logger that records lines in memory (tests, and the dev server's self-check). */
export function memoryLogger(level: LogLevel = 'debug'): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger({ level, sink: (line) => lines.push(JSON.parse(line) as LogFields) });
  return Object.assign(logger, { lines });
}

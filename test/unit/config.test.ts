import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';

function problemsOf(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('configuration', () => {
  it('has embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.PGLITE_DIR).toBe('./.data/pglite');
    expect(c.APP_TIMEZONE).toBe('America/Lima');
    expect(c.API_KEYS).toEqual([]);
    expect(c.PORT).toBe(8787);
  });

  it('splits key and origin lists and treats empty strings as unset', () => {
    const c = loadConfig({ API_KEYS: ' a, b ,,', CORS_ORIGINS: 'https://x.example', DATABASE_URL: '' });
    expect(c.API_KEYS).toEqual(['a', 'b']);
    expect(c.CORS_ORIGINS).toEqual(['https://x.example']);
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('names the variable for each bad value', () => {
    const problems = problemsOf({
      APP_TIMEZONE: 'Mars/Olympus',
      DATABASE_URL: 'mysql://x',
      PORT: 'eighty',
      NEON_WS_PROXY: 'ws://127.0.0.1:5488/v1',
    });
    expect(problems.map((p) => p.variable).sort()).toEqual(
      ['APP_TIMEZONE', 'DATABASE_URL', 'NEON_WS_PROXY', 'PORT'].sort(),
    );
    // Cross-field rule: the Upstash URL without its token names the missing one.
    expect(problemsOf({ UPSTASH_REDIS_REST_URL: 'https://r.example' })).toEqual([
      { variable: 'UPSTASH_REDIS_REST_TOKEN', message: expect.stringMatching(/go together/) },
    ]);
    expect(() => loadConfig({ APP_TIMEZONE: 'Mars/Olympus' })).toThrow(/APP_TIMEZONE: not a known IANA time zone/);
  });

  it('accepts memory:// and postgres URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'memory://' }).DATABASE_URL).toBe('memory://');
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).DATABASE_URL).toBe('postgresql://u@h/db');
  });
});

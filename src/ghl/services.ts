import type { AppConfig } from '../config/config';
import type { Db } from '../db/client';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Clock } from '../runtime/clock';
import type { KvStore } from '../store/kv-store';
import { GhlClient } from './client';
import { createOAuthClient, type OAuthClient } from './oauth';
import { createTokenCipher, type TokenCipher } from './token-crypto';
import { TokenManager } from './token-manager';

/** Everything that talks to GHL for one runtime scope, built from the same deps. */
export interface GhlServices {
  client: GhlClient;
  tokens: TokenManager;
  oauth: OAuthClient;
  cipher: TokenCipher;
}

export function createGhlServices(d: {
  config: AppConfig;
  db: Db;
  store: KvStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  fetch: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): GhlServices {
  const cipher = createTokenCipher(d.config.TOKEN_ENCRYPTION_KEY);
  const oauth = createOAuthClient(d.config, d.fetch);
  const tokens = new TokenManager({
    db: d.db,
    store: d.store,
    clock: d.clock,
    logger: d.logger,
    cipher,
    oauth,
    refreshTimeoutMs: d.config.GHL_TIMEOUT_MS,
    sleep: d.sleep,
  });
  const client = new GhlClient({
    config: d.config,
    store: d.store,
    logger: d.logger,
    metrics: d.metrics,
    tokens,
    fetch: d.fetch,
    sleep: d.sleep,
  });
  return { client, tokens, oauth, cipher };
}

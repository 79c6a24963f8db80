import type { PlatformDeps } from '../platform';
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

export function createGhlServices(
  d: PlatformDeps & {
    /** How GHL is reached: global fetch, or the sandbox's in-process fetch in tests. */
    fetch: typeof fetch;
    sleep?: (ms: number) => Promise<void>;
  },
): GhlServices {
  const cipher = createTokenCipher(d.config.TOKEN_ENCRYPTION_KEY);
  const oauth = createOAuthClient(d.config, d.fetch);
  const tokens = new TokenManager({ ...d, cipher, oauth, refreshTimeoutMs: d.config.GHL_TIMEOUT_MS });
  const client = new GhlClient({ ...d, tokens });
  return { client, tokens, oauth, cipher };
}

import { existsSync } from 'node:fs';

/** Loads ./.env when present (Node ≥ 20.12 reads it natively); real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  if (!existsSync(path)) return;
  const before = { ...process.env };
  process.loadEnvFile(path);
  Object.assign(process.env, before);
}

import type { Deps } from '../deps';

/** Deps for one request, and how to give them back (Workers: the request's DB connection). */
export interface Lease {
  deps: Deps;
  /**
   * The answer is sent: what only it needed goes back now (Workers: the request's database
   * connection, once what runs on it finished), not after the work deferred past it.
   */
  answered?(): Promise<void>;
  /** The deferred work is done too. */
  release(): Promise<void>;
}

/**
 * How each runtime supplies deps: Node keeps one set for the process; Workers build a fresh
 * DB pool per request from the bindings (`env`).
 */
export interface DepsProvider {
  acquire(env: unknown): Promise<Lease>;
}

/** Node and tests: the same deps for every request. */
export function sharedDeps(deps: Deps): DepsProvider {
  const lease: Lease = { deps, release: async () => {} };
  return { acquire: async () => lease };
}

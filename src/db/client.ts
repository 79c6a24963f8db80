import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/** Either driver (PGlite on Node, Neon's WebSocket pool anywhere) behind drizzle's common type. */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Code that works inside or outside a transaction takes either. */
export type DbOrTx = Db | Tx;

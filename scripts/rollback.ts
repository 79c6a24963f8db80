/**
 * `npm run db:rollback`: reverses applied drizzle/ migrations (their drizzle/down/ files) on
 * whichever database is configured, newest first, one transaction per migration.
 *
 *   npm run db:rollback                  the newest applied migration
 *   npm run db:rollback -- --steps 2     the two newest
 *   npm run db:rollback -- --to 0003_x   until 0003_x is the newest applied
 *   npm run db:rollback -- --all         every applied migration
 *   add --dry-run to only print what would be rolled back
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config';
import { openDatabase } from './lib/node-db';
import { loadDotEnv } from './lib/dotenv';
import { migrationStatus, planRollback, rollback, RollbackError, type RollbackOptions } from './lib/migrations';

const usage = 'usage: npm run db:rollback [-- --steps N | --to <tag> | --all] [--dry-run]';

let opts: RollbackOptions;
let dryRun: boolean;
try {
  const { values } = parseArgs({
    options: { steps: { type: 'string' }, to: { type: 'string' }, all: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    strict: true,
  });
  if (values.steps !== undefined && !/^[1-9]\d*$/.test(values.steps)) throw new Error(`--steps needs a positive integer, got ${values.steps}`);
  opts = {
    ...(values.steps !== undefined ? { steps: Number(values.steps) } : {}),
    ...(values.to !== undefined ? { to: values.to } : {}),
    ...(values.all ? { all: true } : {}),
  };
  dryRun = values['dry-run'] ?? false;
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}

loadDotEnv();
const config = loadConfig(process.env);

console.log(
  [
    'Rolling back drops tables and columns, and their data with them. Back up first:',
    config.DATABASE_URL && config.DATABASE_URL !== 'memory://'
      ? '  pg_dump --format=custom --file="citas-$(date +%Y%m%d-%H%M%S).dump" "$DATABASE_URL"\n' +
        '  (restore with: pg_restore --clean --if-exists --dbname="$DATABASE_URL" <file>)'
      : `  PGlite: copy its directory (${config.PGLITE_DIR}) while nothing is running`,
    '',
  ].join('\n'),
);

const database = await openDatabase(config);
try {
  const status = await migrationStatus(database.db);
  for (const m of status.filter((s) => s.applied && s.hashMatches === false)) {
    console.warn(`warning: ${m.tag}.sql changed after it was applied; its reversal is written for the current file`);
  }
  const plan = await planRollback(database.db, opts);
  if (!plan.length) {
    console.log(`Nothing to roll back on ${database.describe}.`);
  } else if (dryRun) {
    console.log(`Would roll back on ${database.describe}, in this order:`);
    for (const m of plan) console.log(`  ${m.tag}  (${relative(process.cwd(), m.downFile)})`);
  } else {
    console.log(`Rolling back on ${database.describe}:`);
    await rollback(database.db, {
      ...opts,
      onRolledBack: (m) => console.log(`  rolled back ${m.tag}  (${relative(process.cwd(), m.downFile)})`),
    });
  }
  const newest = (await migrationStatus(database.db)).filter((s) => s.applied).at(-1);
  console.log(newest ? `Newest applied migration: ${newest.tag}` : 'No migration applied.');
  if (plan.length && !dryRun) console.log('`npm run db:migrate` applies them again.');
} catch (error) {
  if (!(error instanceof RollbackError)) throw error;
  console.error(`db:rollback: ${error.message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}

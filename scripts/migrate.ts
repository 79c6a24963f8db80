/** `npm run db:migrate`: applies drizzle/ migrations to whichever database is configured. */
import { loadConfig } from '../src/config/config';
import { openDatabase } from './lib/node-db';
import { loadDotEnv } from './lib/dotenv';

loadDotEnv();
const config = loadConfig(process.env);
const database = await openDatabase(config);
try {
  await database.migrate();
  console.log(`Migrations applied to ${database.describe}`);
} finally {
  await database.close();
}

import { defineConfig } from 'drizzle-kit';

// Used only to generate SQL from src/db/schema.ts (`npm run db:generate`); migrations are applied
// by scripts/migrate.ts through the same drivers the service uses.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
});

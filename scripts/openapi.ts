/**
 * `npm run openapi`: writes each function's OpenAPI 3.1 document (src/contract/*.openapi.json)
 * from the route definitions; `-- --check` fails when a committed document is stale (the contract
 * test does the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { contractDocuments } from './lib/contract';

const docs = contractDocuments();
if (process.argv.includes('--check')) {
  const stale = docs.filter((d) => readFileSync(d.file, 'utf8') !== d.text);
  if (stale.length) {
    console.error(`stale: ${stale.map((d) => d.file).join(', ')} — run npm run openapi and commit the result`);
    process.exit(1);
  }
  console.log('src/contract/: up to date with the routes');
} else {
  for (const d of docs) writeFileSync(d.file, d.text);
  console.log(`wrote ${docs.map((d) => `${d.file} (${Object.keys(d.document.paths ?? {}).length} paths)`).join(', ')}`);
}

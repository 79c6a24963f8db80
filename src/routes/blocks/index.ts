import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { defineRoute } from '../../http/router';
import type { AppEnv } from '../../http/app-env';
import { AppError } from '../../errors';
import { textProblem } from '../../domain/text';
import { createRouter, json, jsonBody, problems, security } from '../../http/openapi';
import { accessOf } from '../../http/caller';
import { idempotent, requestHash, type Answer } from '../../access/idempotency';
import type { DbOrTx } from '../../db/client';
import { touchLocation } from '../../locations/location-rev';
import { pushBlockAfterWrite, pushJobUrl } from '../../sync/push-retry';
import { blockView, type BlockView } from '../../blocks/block-view';

type BlockWritten = BlockView & { overlapping_citas: { id: string; title: string; start_time: string; end_time: string }[] };
import { createBlock, deleteBlockById, getBlock, listBlocks, updateBlockById } from '../../blocks/blocks-service';
import type { BlockRow } from '../../db/schema';
import { idempotencyParameter, ifMatchParameter, versionFromIfMatch } from '../citas/schemas';
import { blockIdParams, blockPageSchema, blockSchema, blockWriteSchema, createBlockBody, listBlocksQuery, updateBlockBody } from './schemas';

const tags = ['Blocks'];
const etagHeader = { ETag: { description: 'The version, for `If-Match`.', schema: { type: 'string' as const, example: '"1"' } } };

const createBlockRoute = defineRoute({
  method: 'post',
  path: '/',
  operationId: 'createBlock',
  summary: 'Block time on a calendar',
  description: 'Saved at once (bookings into it are refused from now on: `409 slot_blocked`); made in GHL after the answer as a block slot.',
  tags,
  security: security.apiKey,
  parameters: [idempotencyParameter],
  request: { body: jsonBody(createBlockBody) },
  responses: {
    201: { ...json(blockWriteSchema, 'Created. `Location` names it.'), headers: { ...etagHeader, Location: { schema: { type: 'string' } } } },
    ...problems(400, 401, 404, 413, 415, 422, 429, 503),
  },
});

const listBlocksRoute = defineRoute({
  method: 'get',
  path: '/',
  operationId: 'listBlocks',
  summary: "A location's blocked time",
  description: 'Live blocks intersecting [desde, hasta], from GHL (read by the sync jobs and before bookings) and made here; ordered by start.',
  tags,
  security: security.apiKey,
  request: { query: listBlocksQuery },
  responses: { 200: json(blockPageSchema, 'The blocks.'), ...problems(401, 404, 422, 429, 503) },
});

const getBlockRoute = defineRoute({
  method: 'get',
  path: '/{id}',
  operationId: 'getBlock',
  summary: 'Read a block',
  description: 'A live block, with its GHL sync state (a removed one is a 404); `ETag` is its version.',
  tags,
  security: security.apiKey,
  request: { params: blockIdParams },
  responses: { 200: { ...json(blockSchema, 'The block.'), headers: etagHeader }, ...problems(401, 404, 429, 503) },
});

const updateBlockRoute = defineRoute({
  method: 'patch',
  path: '/{id}',
  operationId: 'updateBlock',
  summary: 'Move or rename a block',
  description: 'Moving only `start_time` keeps the length. Send `If-Match` to never overwrite someone else’s edit. GHL is told after the answer.',
  tags,
  security: security.apiKey,
  parameters: [ifMatchParameter],
  request: { params: blockIdParams, body: jsonBody(updateBlockBody) },
  responses: { 200: { ...json(blockWriteSchema, 'The block as saved.'), headers: etagHeader }, ...problems(400, 401, 404, 412, 413, 415, 422, 429, 503) },
});

const deleteBlockRoute = defineRoute({
  method: 'delete',
  path: '/{id}',
  operationId: 'deleteBlock',
  summary: 'Remove a block',
  description: 'Gone from the agenda at once (`deleted: true`), from GHL after the answer. Removing it twice is fine.',
  tags,
  security: security.apiKey,
  parameters: [ifMatchParameter],
  request: { params: blockIdParams },
  responses: { 200: { ...json(blockSchema, 'The removed block.'), headers: etagHeader }, ...problems(400, 401, 404, 412, 429, 503) },
});

/** After a write: the agenda's tag moves, and GHL is told past the answer. */
function afterWrite(c: Context<AppEnv>, row: BlockRow, connected: boolean) {
  const deps = c.get('deps');
  touchLocation(deps, row.locationId);
  c.get('defer')(() => pushBlockAfterWrite(deps, row.id, pushJobUrl(deps.config, c.req.url), connected));
}


const createBlockHandler: RouteHandler<typeof createBlockRoute, AppEnv> = async (c) => {
  const input = c.req.valid('json');
  const deps = c.get('deps');
  const key = c.req.header('idempotency-key');
  if (key !== undefined && (key.length === 0 || key.length > 255 || textProblem(key))) {
    throw AppError.validation([{ field: 'Idempotency-Key', message: 'between 1 and 255 characters of text' }]);
  }
  // Set only by a write done now (not by a replayed answer): that one is pushed.
  const written: { row?: BlockRow; connected?: boolean } = {};
  const run = async (db: DbOrTx): Promise<Answer> => {
    const { row, overlapping, ghlConnected } = await createBlock({ ...deps, db }, input, accessOf(c));
    written.row = row;
    written.connected = ghlConnected;
    return { status: 201, body: { ...blockView(row), overlapping_citas: overlapping }, headers: { Location: `/api/blocks/${row.id}`, ETag: `"${row.version}"` } };
  };
  let answer: Answer;
  if (!key) answer = await run(deps.db);
  else {
    const r = await idempotent(deps, { clientId: accessOf(c).clientId, key, operation: 'POST /api/blocks', requestHash: await requestHash(input) }, run);
    answer = r.answer;
    if (r.replayed) c.header('Idempotent-Replayed', 'true');
  }
  if (written.row) afterWrite(c, written.row, written.connected === true);
  return c.json(answer.body as BlockWritten, 201, answer.headers);
};

const listBlocksHandler: RouteHandler<typeof listBlocksRoute, AppEnv> = async (c) => {
  const q = c.req.valid('query');
  const { time_zone, rows } = await listBlocks(c.get('deps'), q, accessOf(c));
  return c.json({ time_zone, data: rows.map(blockView) }, 200);
};

const getBlockHandler: RouteHandler<typeof getBlockRoute, AppEnv> = async (c) => {
  const row = await getBlock(c.get('deps'), c.req.valid('param').id, accessOf(c));
  c.header('ETag', `"${row.version}"`);
  return c.json(blockView(row), 200);
};

const updateBlockHandler: RouteHandler<typeof updateBlockRoute, AppEnv> = async (c) => {
  const { row, changed, overlapping } = await updateBlockById(c.get('deps'), c.req.valid('param').id, c.req.valid('json'), versionFromIfMatch(c.req.header('if-match')), accessOf(c));
  // Connected or not is the push's own question here (one read, after the answer).
  if (changed) afterWrite(c, row, true);
  c.header('ETag', `"${row.version}"`);
  return c.json({ ...blockView(row), overlapping_citas: overlapping }, 200);
};

const deleteBlockHandler: RouteHandler<typeof deleteBlockRoute, AppEnv> = async (c) => {
  const { row, changed } = await deleteBlockById(c.get('deps'), c.req.valid('param').id, versionFromIfMatch(c.req.header('if-match')), accessOf(c));
  if (changed) afterWrite(c, row, true);
  c.header('ETag', `"${row.version}"`);
  return c.json(blockView(row), 200);
};

/** /api/blocks: time a calendar is not available, from GHL and made here. */
export const blocksRoutes = createRouter()
  .openapi(createBlockRoute, createBlockHandler)
  .openapi(listBlocksRoute, listBlocksHandler)
  .openapi(getBlockRoute, getBlockHandler)
  .openapi(updateBlockRoute, updateBlockHandler)
  .openapi(deleteBlockRoute, deleteBlockHandler);

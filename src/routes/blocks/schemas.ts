import * as z from 'zod/v4';
import { BLOCK_SOURCES, BLOCK_SYNC_STATUSES } from '../../db/schema';
import { externalId } from '../../domain/ids';

const title = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters').meta({ description: 'The reason, as GHL shows it.', example: 'Almuerzo' });
const time = (example: string) =>
  z.string().trim().min(1, 'must not be empty').meta({
    description: 'ISO-8601 with an offset, or a wall time in the location zone (`2026-12-14T13:00`), as for citas.',
    example,
  });
const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item).min(1));

export const createBlockBody = z
  .strictObject({
    location_id: externalId().meta({ example: 'demo-location' }),
    calendar_id: externalId().meta({ description: 'The GHL calendar whose time is blocked.', example: 'demo-calendar' }),
    title,
    start_time: time('2026-12-14T13:00'),
    end_time: time('2026-12-14T14:00'),
  })
  .meta({ id: 'BlockCreate' });

export const updateBlockBody = z
  .strictObject({
    title: title.optional(),
    start_time: time('2026-12-14T13:30').optional().meta({ description: 'Moving only the start keeps the length.' }),
    end_time: time('2026-12-14T14:30').optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'send at least one field to change' })
  .meta({ id: 'BlockUpdate' });

export const listBlocksQuery = z.strictObject({
  location_id: externalId().meta({ example: 'demo-location' }),
  desde: z.string().trim().min(1).meta({ description: 'From: a date (whole days in the location zone) or a date-time.', example: '2026-12-14' }),
  hasta: z.string().trim().min(1).meta({ description: 'To: a date (inclusive) or a date-time; at most 93 days after `desde`.', example: '2026-12-20' }),
  calendar_id: csv(externalId()).optional().meta({ description: 'Comma-separated calendar ids.' }),
});

export const blockIdParams = z.object({ id: z.uuid({ message: 'not a block id' }).meta({ param: { name: 'id', in: 'path' }, example: '6a1f0c3e-2b7d-4c59-8e1a-3d5f7b9c2e41' }) });

const instant = z.string().meta({ example: '2026-12-14T13:00:00-05:00' });

export const blockSchema = z
  .object({
    id: z.uuid(),
    location_id: z.string(),
    calendar_id: z.string(),
    ghl_block_id: z.string().nullable().meta({ description: "GHL's id; null until a block made here reaches GHL." }),
    title: z.string(),
    start_time: instant,
    end_time: instant,
    start_time_utc: z.string(),
    end_time_utc: z.string(),
    time_zone: z.string(),
    source: z.enum(BLOCK_SOURCES).meta({ description: '`ghl`: read from GHL (staff blocked it there); `rv3`: made here.' }),
    deleted: z.boolean().meta({ description: 'Removed here; GHL is being told.' }),
    sync: z.object({ status: z.enum(BLOCK_SYNC_STATUSES), error: z.string().nullable(), retries: z.number().int(), last_synced_at: z.string().nullable() }),
    version: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Block' });

/** A cita named beside a block (the citas a new block covers). */
export const citaBriefSchema = z.object({ id: z.uuid(), title: z.string(), start_time: instant, end_time: instant }).meta({ id: 'CitaBrief' });

export const blockWriteSchema = blockSchema
  .extend({
    overlapping_citas: z.array(citaBriefSchema).meta({ description: 'Active citas already in this time: kept, and marked as conflicts (`conflict_reason: blocked`) for a person to look at.' }),
  })
  .meta({ id: 'BlockWritten' });

export const blockPageSchema = z.object({ time_zone: z.string(), data: z.array(blockSchema) }).meta({ id: 'BlockPage' });

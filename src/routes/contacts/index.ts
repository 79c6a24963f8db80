import type { RouteHandler } from '@hono/zod-openapi';
import { defineRoute } from '../../http/router';
import type { AppEnv } from '../../http/app-env';
import { createRouter, json, jsonBody, problems, security } from '../../http/openapi';
import { accessOf } from '../../http/caller';
import { createPatient, getPatient, searchPatients } from '../../contacts/contacts-service';
import { contactIdParams, contactListSchema, contactLocationQuery, contactSchema, createContactBody, searchContactsQuery } from './schemas';

const tags = ['Contacts'];

const searchRoute = defineRoute({
  method: 'get',
  path: '/',
  operationId: 'searchContacts',
  summary: "Find a location's patients by typing",
  description: "Ours first (names, phone, email; accents and case ignored), then GHL's own contact search for the rest of the page. Deleted patients are left out.",
  tags,
  security: security.apiKey,
  request: { query: searchContactsQuery },
  responses: { 200: json(contactListSchema, 'Matching patients, by name.'), ...problems(400, 401, 404, 429, 503) },
});

const getRoute = defineRoute({
  method: 'get',
  path: '/{id}',
  operationId: 'getContact',
  summary: 'One patient',
  description: 'As we hold it; a contact we have not seen yet is asked of GHL first. A deleted one answers with `deleted: true`.',
  tags,
  security: security.apiKey,
  request: { params: contactIdParams, query: contactLocationQuery },
  responses: { 200: json(contactSchema, 'The patient.'), ...problems(400, 401, 404, 429, 503) },
});

const createRoute = defineRoute({
  method: 'post',
  path: '/',
  operationId: 'createContact',
  summary: 'A new patient, created in GHL',
  description: "Through GHL's upsert, which finds the patient with the same email or phone instead of making a second one (200 then, 201 when new).",
  tags,
  security: security.apiKey,
  request: { body: jsonBody(createContactBody) },
  responses: {
    200: json(contactSchema, 'GHL already had this patient (same email or phone).'),
    201: json(contactSchema, 'Created in GHL.'),
    ...problems(400, 401, 404, 413, 415, 422, 429, 502, 503),
  },
});

const searchHandler: RouteHandler<typeof searchRoute, AppEnv> = async (c) => {
  const q = c.req.valid('query');
  return c.json(await searchPatients(c.get('deps'), accessOf(c), { locationId: q.location_id, q: q.q, limit: q.limit }), 200);
};

const getHandler: RouteHandler<typeof getRoute, AppEnv> = async (c) =>
  c.json(await getPatient(c.get('deps'), accessOf(c), c.req.valid('query').location_id, c.req.valid('param').id), 200);

const createHandler: RouteHandler<typeof createRoute, AppEnv> = async (c) => {
  const r = await createPatient(c.get('deps'), accessOf(c), c.req.valid('json'));
  return r.created ? c.json(r.contact, 201) : c.json(r.contact, 200);
};

/** /api/contacts: the location's patients, as GHL keeps them. */
export const contactsRoutes = createRouter().openapi(searchRoute, searchHandler).openapi(getRoute, getHandler).openapi(createRoute, createHandler);

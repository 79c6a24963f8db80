/**
 * Every app, for Node (npm start, tests, scripts) and for the client's types. A deployable
 * function imports its own app from src/apps/ instead, so its bundle carries only its routes.
 */
export { createBaseApp } from './apps/base';
export { createCitasApp, type CitasApp } from './apps/citas';
export { createWebhooksApp, type WebhooksApp } from './apps/webhooks';
export { createJobsApp, type JobsApp } from './apps/jobs';
export { createFullApp, type FullApp } from './apps/full';

export const API_VERSION = '1.0.0';

import type { DepsProvider } from '../runtime/provider';
import { webhookRoutes } from '../routes/webhooks';
import contract from '../contract/webhooks.openapi.json';
import { createBaseApp, withContract } from './base';

/** GHL's webhooks, as their own function. */
export function createWebhooksApp(provider: DepsProvider) {
  return withContract(createBaseApp(provider).route('/api/webhooks', webhookRoutes), contract);
}

export type WebhooksApp = ReturnType<typeof createWebhooksApp>;

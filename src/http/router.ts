import type { MiddlewareHandler, Schema } from 'hono';
// hono/tiny: Hono with its PatternRouter alone. The default preset carries RegExpRouter and
// TrieRouter too (2.4 KiB gzip in every bundle); with our few dozen routes, matching them one by
// one costs nothing the benchmarks can see (webhooks A/B: 0.68–0.71× the floor with the default
// preset, 0.68–0.75× with this), and no fresh isolate pays RegExpRouter's build on first match.
import { Hono } from 'hono/tiny';
import { HTTPException } from 'hono/http-exception';
import { mergePath } from 'hono/utils/url';
import { zValidator } from '@hono/zod-validator';
import type { Hook, OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type * as z from 'zod/v4';
import type { AppEnv } from './app-env';

/**
 * Routes declared as data (`defineRoute`: method, path, schemas for every input and response) and
 * registered with `router.openapi(route, handler)`: the schemas validate the request and type the
 * handler and the `hono/client`, exactly as @hono/zod-openapi's OpenAPIHono does — whose types
 * this router wears. What it leaves out is the weight: the OpenAPI document is generated from
 * `router.contract` in Node (scripts/openapi.ts) and shipped as JSON, so no Worker carries the
 * document generator, nor the whole of zod it would pull in.
 */

export type Router = OpenAPIHono<AppEnv> & {
  /** Every route this router serves or documents, with its full path: what the contract lists. */
  readonly contract: readonly RouteConfig[];
  /** Documents a route whose handler validates its own input (raw-body webhooks, signed jobs). */
  document(route: RouteConfig): void;
};

/**
 * A route definition; the identity, so `typeof route` keeps every schema — and the path as a
 * literal (hence `P`), which the client's types are keyed by.
 */
export function defineRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(route: R): R {
  return route;
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json(;.*)?$/i;

class ContractRouter extends Hono<AppEnv, Schema, string> {
  readonly contract: RouteConfig[] = [];

  constructor(private readonly hook: Hook<unknown, AppEnv, string, unknown>) {
    super();
  }

  openapi = (route: RouteConfig, handler: MiddlewareHandler<AppEnv>) => {
    const validators: MiddlewareHandler<AppEnv>[] = [];
    const hook = this.hook as never;
    const req = route.request;
    if (req?.query) validators.push(zValidator('query', req.query as z.ZodType, hook) as MiddlewareHandler<AppEnv>);
    if (req?.params) validators.push(zValidator('param', req.params as z.ZodType, hook) as MiddlewareHandler<AppEnv>);
    if (req?.headers) validators.push(zValidator('header', req.headers as z.ZodType, hook) as MiddlewareHandler<AppEnv>);
    const body = (req?.body?.content?.['application/json'] as { schema?: z.ZodType } | undefined)?.schema;
    if (body) {
      const required = req?.body?.required === true;
      const json = zValidator('json', body, hook) as MiddlewareHandler<AppEnv>;
      validators.push(async (c, next) => {
        const type = c.req.header('content-type');
        // A body the route cannot read is refused, not silently taken for {}.
        if (type ? !JSON_TYPE.test(type) : c.req.raw.body !== null && (await c.req.arrayBuffer()).byteLength > 0) {
          throw new HTTPException(415, { message: 'Unsupported Media Type' });
        }
        if (type || required) return json(c, next);
        c.req.addValidatedData('json', {});
        await next();
      });
    }
    this.contract.push(route);
    this.on([route.method.toUpperCase()], [route.path.replace(/\{([^}]+)\}/g, ':$1')], ...validators, handler);
    return this;
  };

  document(route: RouteConfig): void {
    this.contract.push(route);
  }

  // Typed by OpenAPIHono's signature (see Router); here only the contracts are merged.
  override route(path: string, app: Hono<any, any, any>): any {
    const mounted = super.route(path, app);
    if (app instanceof ContractRouter) {
      const prefix = path.replace(/:([^/]+)/g, '{$1}');
      for (const r of app.contract) this.contract.push({ ...r, path: mergePath(prefix, r.path) });
    }
    return mounted;
  }
}

/** A router whose validation failures go through `hook` (src/http/openapi.ts: our problems). */
export function createContractRouter(hook: Hook<unknown, AppEnv, string, unknown>): Router {
  return new ContractRouter(hook) as unknown as Router;
}

/** The contract of any app built from these routers (the generator reads it). */
export function contractOf(app: unknown): readonly RouteConfig[] {
  return app instanceof ContractRouter ? app.contract : [];
}

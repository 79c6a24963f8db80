/**
 * A response that is the same for every request in a deployment (a page, a script, a document):
 * what a route answers with on Node, and what scripts/assets.ts writes as a Workers static asset.
 */
export interface StaticFile {
  /** The URL path it is served at. */
  path: string;
  /** Its Content-Type. */
  type: string;
  body: string;
  /** Every other header it is served with. */
  headers: Record<string, string>;
}

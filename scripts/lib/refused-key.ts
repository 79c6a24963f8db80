/**
 * A 401 or 403 from our API, said as what it is in every script that calls it with a key: the key
 * was refused. Read as anything else it misleads (a refused settings read once made `npm run demo`
 * say "the location has no default calendar").
 */

/** The sentence for a refused key, or null when the status is not a refusal. `fix` says which key to pass. */
export function refusedKeyMessage(status: number, body: unknown, fix: string): string | null {
  if (status !== 401 && status !== 403) return null;
  const problem = (body && typeof body === 'object' ? body : {}) as { code?: unknown; detail?: unknown };
  const said = [typeof problem.code === 'string' ? problem.code : '', typeof problem.detail === 'string' ? problem.detail : ''].filter(Boolean).join(': ');
  const what = status === 401 ? 'the API key was refused (401' : 'the API key was refused for this (403';
  return `${what}${said ? ` ${said}` : ''}). ${fix}`;
}

/**
 * A fetch for the typed client (src/client.ts) that stops the script at the first refused key,
 * before any step can misread the refusal's body as data.
 */
export function failOnRefusedKey(stop: (message: string) => never, fix: string, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    if (res.status === 401 || res.status === 403) {
      const body: unknown = await res.clone().json().catch(() => null);
      stop(refusedKeyMessage(res.status, body, fix)!);
    }
    return res;
  };
}

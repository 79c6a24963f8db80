/**
 * What the page remembers, for this tab only (sessionStorage: gone when the tab closes, never
 * sent anywhere): the API key, and the location last looked at.
 */
const KEY = 'citas-sync.api-key';
const LOCATION = 'citas-sync.location';

function read(name: string): string | null {
  try {
    return sessionStorage.getItem(name);
  } catch {
    return null; // storage disabled: the key is asked for on every load
  }
}

function write(name: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(name);
    else sessionStorage.setItem(name, value);
  } catch {
    // storage disabled or full: the page still works for this load
  }
}

export const session = {
  apiKey: () => read(KEY),
  rememberKey: (key: string) => write(KEY, key),
  forgetKey: () => write(KEY, null),
  location: () => read(LOCATION),
  rememberLocation: (id: string) => write(LOCATION, id),
};

/**
 * A few lines of DOM building instead of a framework: text always goes in as text nodes (never
 * as HTML), so nothing a cita holds can become markup.
 */

type Child = Node | string | null | undefined | false;
interface Props {
  class?: string;
  /** `data-*` attributes, without the prefix. */
  data?: Record<string, string>;
  on?: Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>;
  [attribute: string]: unknown;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'data') for (const [k, v] of Object.entries(value as Record<string, string>)) el.dataset[k] = v;
    else if (name === 'on') for (const [event, fn] of Object.entries(value as Record<string, (e: Event) => void>)) el.addEventListener(event, fn);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false && value !== undefined && value !== null) el.setAttribute(name, String(value));
  }
  // One by one: the Workers types (also loaded by this project) redeclare Element.append.
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

/** An element the page shell (src/ui/page.ts) is known to have. */
export function byId<T = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as unknown as T;
}

export function setText(el: HTMLElement, text: string): void {
  el.textContent = text;
}

/** Plural-aware counts in Spanish: `1 cita`, `3 citas`. */
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

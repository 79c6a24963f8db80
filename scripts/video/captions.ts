/**
 * What the video adds on top of the real pages: a caption bar at the bottom (Spanish, for whoever
 * watches) and an outline around what the caption talks about. Both are put in through
 * page.evaluate, outside the page's own code, and only change what is drawn. The bar is a manual
 * popover so it sits in the top layer, above the page's modal dialogs once raised again.
 *
 * The functions handed to page.evaluate are kept flat (no inner named functions): the TypeScript
 * loader would wrap those in a helper the page does not have.
 */
import type { Locator, Page } from 'playwright-core';

export const CAPTION_HEIGHT = 132;

export interface CaptionStyle {
  /** Small label above the text, e.g. «Paso 3 de 9». */
  label?: string;
  /** The GHL pane's bar says less, in a quieter colour. */
  quiet?: boolean;
}

/** Shows `text` in the caption bar (made on first use), above anything else on the page. */
export async function showCaption(page: Page, text: string, style: CaptionStyle = {}): Promise<void> {
  await page.evaluate(
    ({ text, label, quiet, height }) => {
      let bar = document.getElementById('video-caption');
      if (!bar) {
        bar = document.createElement('div');
        bar.id = 'video-caption';
        bar.setAttribute('popover', 'manual');
        bar.setAttribute('aria-hidden', 'true');
        Object.assign(bar.style, {
          position: 'fixed',
          inset: 'auto 0 0 0',
          width: '100%',
          height: `${height}px`,
          margin: '0',
          boxSizing: 'border-box',
          padding: '14px 28px',
          border: '0',
          borderTop: '5px solid #f5b700',
          background: 'rgba(10, 22, 46, 0.96)',
          color: '#ffffff',
          font: '600 25px/1.38 system-ui, "DejaVu Sans", sans-serif',
          overflow: 'hidden',
          // Only drawn: clicks go to the page underneath, as if the bar were not there.
          pointerEvents: 'none',
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'center',
        });
        bar.appendChild(document.createElement('small'));
        bar.appendChild(document.createElement('span'));
        document.body.appendChild(bar);
      }
      const [small, span] = [bar.children[0] as HTMLElement, bar.children[1] as HTMLElement];
      small.textContent = label ?? '';
      Object.assign(small.style, { display: label ? 'block' : 'none', color: '#f5b700', font: '700 17px/1.3 system-ui, sans-serif', letterSpacing: '0.04em' });
      span.textContent = text;
      span.style.fontSize = quiet ? '20px' : '25px';
      span.style.color = quiet ? '#d6def0' : '#ffffff';
      if (bar.matches(':popover-open')) bar.hidePopover();
      bar.showPopover();
    },
    { text, label: style.label, quiet: style.quiet ?? false, height: CAPTION_HEIGHT },
  );
}

/** Puts the caption bar back on top, e.g. after the page opened a modal dialog over it. */
export async function raiseCaption(page: Page): Promise<void> {
  await page.evaluate(() => {
    const bar = document.getElementById('video-caption');
    if (!bar) return;
    if (bar.matches(':popover-open')) bar.hidePopover();
    bar.showPopover();
  });
}

/** Outlines what the caption is about (one thing at a time per page). */
export async function highlight(target: Locator): Promise<void> {
  await target.evaluate((el: HTMLElement) => {
    for (const old of document.querySelectorAll<HTMLElement>('[data-video-highlight]')) {
      old.style.outline = '';
      old.style.outlineOffset = '';
      old.removeAttribute('data-video-highlight');
    }
    el.setAttribute('data-video-highlight', '');
    el.style.outline = '5px solid #f5b700';
    el.style.outlineOffset = '3px';
    el.scrollIntoView({ block: 'nearest', behavior: 'instant' });
  });
}

/** Seconds a caption stays up: enough to read it at a calm pace (about 14 characters a second). */
export function readingSeconds(text: string, floor = 5): number {
  return Math.max(floor, Math.round((text.length / 14 + 1.5) * 2) / 2);
}

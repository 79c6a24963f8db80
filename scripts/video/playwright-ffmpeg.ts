/**
 * playwright-core records video through an ffmpeg of its own, looked up in its browser folder
 * (PLAYWRIGHT_BROWSERS_PATH/ffmpeg-<revision>/ffmpeg-linux) and normally downloaded from
 * Playwright's CDN. Debian's ffmpeg does the same job (VP9 from MJPEG frames), so a throwaway
 * folder with a link to it stands in for the download. Must run before playwright-core is
 * imported: it reads PLAYWRIGHT_BROWSERS_PATH once, when it loads.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';
export const FFPROBE = process.env.FFPROBE_PATH ?? '/usr/bin/ffprobe';

export function usePlaywrightWithSystemFfmpeg(): void {
  for (const tool of [FFMPEG, FFPROBE]) {
    if (!existsSync(tool)) throw new Error(`no ${tool}: apt-get install -y ffmpeg (scripts/ci/video.sh does it)`);
  }
  const require = createRequire(import.meta.url);
  const browsersJson = join(dirname(require.resolve('playwright-core/package.json')), 'browsers.json');
  const { browsers } = JSON.parse(readFileSync(browsersJson, 'utf8')) as { browsers: { name: string; revision: string }[] };
  const revision = browsers.find((b) => b.name === 'ffmpeg')?.revision;
  if (!revision) throw new Error(`playwright-core's ${browsersJson} names no ffmpeg revision`);
  const root = mkdtempSync(join(tmpdir(), 'citas-video-pw-'));
  mkdirSync(join(root, `ffmpeg-${revision}`));
  symlinkSync(FFMPEG, join(root, `ffmpeg-${revision}`, 'ffmpeg-linux'));
  process.env.PLAYWRIGHT_BROWSERS_PATH = root;
}

/**
 * From playwright's two recordings (the agenda, GHL's side) to the video: both panes side by side
 * over the same stretch of wall-clock time, once as the raw-quality WebM (VP9) and once as the
 * small MP4 (H.264) that is committed and linked from the README. Debian's ffmpeg does the work.
 */
import { execFileSync } from 'node:child_process';
import { FFMPEG, FFPROBE } from './playwright-ffmpeg';

export interface Recording {
  file: string;
  /** Wall-clock time (ms) of the recording's first frame. */
  startedAtMs: number;
}

export interface Outputs {
  raw: string;
  compressed: string;
}

/** playwright's own rate. */
const RAW_FPS = 25;
/**
 * The pages change every few seconds (and while typing): repeated frames are dropped, keeping at
 * least one in 13 (about 2 a second) so players seek well. Encoding ~300 frames instead of ~3,300
 * takes a sixth of the time (measured: 11 s instead of 65 s on the shared CI machine).
 */
const DECIMATE = 'mpdecimate=max=12';

/** playwright writes the moment it started recording into the WebM (matroska DateUTC). */
export function recordingStart(file: string): number {
  const tag = execFileSync(FFPROBE, ['-v', 'error', '-show_entries', 'format_tags=creation_time', '-of', 'default=nw=1:nk=1', file], { encoding: 'utf8' }).trim();
  const ms = Date.parse(tag);
  if (Number.isNaN(ms)) throw new Error(`${file} carries no creation_time (got ${JSON.stringify(tag)})`);
  return ms;
}

export function durationSeconds(file: string): number {
  const out = execFileSync(FFPROBE, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file], { encoding: 'utf8' });
  return Number(out.trim());
}

/** [fromMs, toMs) of wall-clock time, left and right panes side by side. */
export function composeSideBySide(left: Recording, right: Recording, fromMs: number, toMs: number, out: Outputs): void {
  const seconds = (toMs - fromMs) / 1000;
  const trim = (r: Recording, label: string, input: number) => {
    const start = (fromMs - r.startedAtMs) / 1000;
    if (start < 0) throw new Error(`${r.file} starts ${-start} s after the stretch to compose`);
    // playwright writes a frame only when the page paints: make the rate constant first, so the
    // trim starts on the frame shown at `start` rather than on the next one painted after it.
    return `[${input}:v]fps=${RAW_FPS},trim=start=${start.toFixed(3)}:duration=${seconds.toFixed(3)},setpts=PTS-STARTPTS[${label}]`;
  };
  const graph = [trim(left, 'l', 0), trim(right, 'r', 1), `[l][r]hstack=inputs=2,${DECIMATE},split=2[raw][c]`, `[c]format=yuv420p[small]`].join(';');
  execFileSync(
    FFMPEG,
    [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-i', left.file, '-i', right.file, '-filter_complex', graph],
      // Raw: every distinct frame playwright recorded, in fast VP9 at a quality that keeps text sharp.
      ...['-map', '[raw]', '-an', '-fps_mode', 'vfr', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-crf', '32', '-b:v', '0', '-g', '100', out.raw],
      // Small: H.264 for any player; still frames of text cost almost nothing, so a fast preset
      // loses little (measured: slower presets saved no bytes here and took twice the time).
      ...['-map', '[small]', '-an', '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-crf', '27', '-movflags', '+faststart', out.compressed],
    ],
    { stdio: 'inherit' },
  );
}

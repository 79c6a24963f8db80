/**
 * Keeps the agenda current without a reload: a look every few seconds while the tab is visible,
 * and one when the tab comes back into view or gets focus — never two at once, and never closer
 * together than `minGapMs` (each look is one conditional request: a 304 when nothing changed).
 */
export interface Poller {
  /** Look now (unless a look is running or the last one is too recent). */
  poke(): void;
  stop(): void;
}

export function startPolling(look: () => Promise<void>, opts: { everyMs: number; minGapMs: number }): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let lastStart = Date.now();
  let stopped = false;

  const schedule = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!stopped && document.visibilityState === 'visible') timer = setTimeout(run, opts.everyMs);
  };
  const run = async () => {
    timer = undefined;
    if (stopped || running) return;
    running = true;
    lastStart = Date.now();
    try {
      await look();
    } finally {
      running = false;
      schedule();
    }
  };
  const poke = () => {
    if (!running && Date.now() - lastStart >= opts.minGapMs) void run();
    else if (!running && timer === undefined) schedule(); // back from hidden: the regular look resumes
  };
  const onVisibility = () => {
    if (document.visibilityState === 'visible') poke();
    else {
      clearTimeout(timer);
      timer = undefined;
    }
  };
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('focus', poke);
  schedule();
  return {
    poke,
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('focus', poke);
    },
  };
}

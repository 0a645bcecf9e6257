/** Samples the process's RSS every `intervalMs` until stopped; peak and baseline in bytes. */
export function sampleRss(intervalMs = 100): { stop(): { baseline: number; peak: number; samples: number } } {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let samples = 1;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    samples++;
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return { baseline, peak, samples };
    },
  };
}

export const mebibytes = (bytes: number) => bytes / 1024 / 1024;

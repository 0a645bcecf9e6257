// API versions the emulator answers, labelled by release as GET /services/data lists them.
export const OLDEST_API_VERSION = 31;
export const LATEST_API_VERSION = '64.0';

function releaseLabel(version: number): string {
  const season = ['Winter', 'Spring', 'Summer'][(version - 20) % 3];
  const year = 11 + Math.floor((version - 20) / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

export function listVersions(): { label: string; url: string; version: string }[] {
  const out = [];
  for (let v = OLDEST_API_VERSION; v <= parseInt(LATEST_API_VERSION, 10); v++) {
    out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return out;
}

/** "v62.0" → "62.0" when the emulator serves that version. */
export function parseVersion(segment: string): string | undefined {
  const m = /^v(\d+)\.0$/.exec(segment);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= OLDEST_API_VERSION && n <= parseInt(LATEST_API_VERSION, 10) ? `${n}.0` : undefined;
}

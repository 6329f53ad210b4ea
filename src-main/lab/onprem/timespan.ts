/** .NET TimeSpan strings (`00:30:00`, `7.00:00:00`) <-> milliseconds. */
const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

export function parseTimeSpan(text: string): number | undefined {
  const m = TIMESPAN.exec(text.trim());
  if (!m) return undefined;
  const [, d, h, mi, s] = m;
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  return (((Number(d ?? 0) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

export function formatTimeSpan(ms: number): string {
  const total = Math.floor(ms / 1000);
  const days = Math.floor(total / 86400);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hms = `${pad(Math.floor((total % 86400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days > 0 ? `${days}.${hms}` : hms;
}

/** Wall-clock time in an IANA time zone ↔ instants, with Intl (no library). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Whether Intl knows the zone (IANA names such as `Europe/Paris`, and `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in milliseconds (Paris in winter: +3_600_000). */
function offsetMs(timeZone: string, instantMs: number): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instantMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant a wall-clock time (given as if it were UTC) names in a zone. A time the zone skips
 * (spring forward) lands after the gap; a repeated one (fall back) is its first occurrence.
 */
export function zonedToInstantMs(wallAsUtcMs: number, timeZone: string): number {
  const dayMs = 86_400_000;
  const before = wallAsUtcMs - offsetMs(timeZone, wallAsUtcMs - dayMs);
  const after = wallAsUtcMs - offsetMs(timeZone, wallAsUtcMs + dayMs);
  const valid = [before, after].filter((instant) => instant + offsetMs(timeZone, instant) === wallAsUtcMs);
  return valid.length > 0 ? Math.min(...valid) : before;
}

/**
 * AWS's six-field cron (`min hour day-of-month month day-of-week year`, EventBridge user guide "Cron
 * expressions"): validated field by field here, then rewritten for croner, which computes the times.
 * Our checks cover what croner accepts and AWS does not (day-of-week 0 or 8, years outside 1970–2199,
 * `?` outside the day fields, both or neither day field `?`, more than one `#`), and the rewrites
 * cover what AWS accepts and croner does not (`0/15` steps from a start, `L` alone as Saturday).
 */

/** A field refused, with why (for logs and tests; the services answer with their own message). */
export class CronFieldError extends Error {
  override readonly name = "CronFieldError";
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MINUTES: FieldSpec = { name: "minutes", min: 0, max: 59 };
const HOURS: FieldSpec = { name: "hours", min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: "day-of-month", min: 1, max: 31 };
const MONTH: FieldSpec = { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] };
const DAY_OF_WEEK: FieldSpec = { name: "day-of-week", min: 1, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] };
const YEAR: FieldSpec = { name: "year", min: 1970, max: 2199 };

function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const number = named >= 0 ? named + spec.min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(number >= spec.min && number <= spec.max)) throw new CronFieldError(`${spec.name}: ${text} is not a value between ${spec.min} and ${spec.max}`);
  return number;
}

/**
 * One comma-separated item: `*`, `n`, `n-m`, with an optional `/step`. A step from a single start
 * (`0/15`) runs to the field's end: croner wants it spelled `0-59/15`.
 */
function rangeItem(item: string, spec: FieldSpec): string {
  const [range = "", step, extra] = item.split("/");
  if (extra !== undefined) throw new CronFieldError(`${spec.name}: ${item} has more than one /`);
  // A step as long as the whole field (*/60 in minutes) is refused by AWS, though croner keeps it.
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= spec.max - spec.min)) {
    throw new CronFieldError(`${spec.name}: step ${step} is not between 1 and ${spec.max - spec.min}`);
  }
  if (range === "*") return item;
  const [from = "", to, more] = range.split("-");
  if (more !== undefined) throw new CronFieldError(`${spec.name}: ${range} is not a range`);
  const start = value(from, spec);
  if (to === undefined) return step === undefined ? String(start) : `${start}-${spec.max}/${step}`;
  const end = value(to, spec);
  if (end < start) throw new CronFieldError(`${spec.name}: ${range} runs backwards`);
  return step === undefined ? `${start}-${end}` : `${start}-${end}/${step}`;
}

function list(field: string, spec: FieldSpec): string {
  if (field === "") throw new CronFieldError(`${spec.name} is empty`);
  return field.split(",").map((item) => rangeItem(item, spec)).join(",");
}

function dayOfMonth(field: string): string {
  if (field === "?" || field === "L" || field === "LW") return field;
  const weekday = /^(\d+)W$/.exec(field);
  if (weekday?.[1] !== undefined) return `${value(weekday[1], DAY_OF_MONTH)}W`;
  return list(field, DAY_OF_MONTH);
}

function dayOfWeek(field: string): string {
  if (field === "?") return field;
  if (field === "L") return "7"; // AWS: L alone is the last day of the week, Saturday
  const last = /^(\w+)L$/.exec(field);
  if (last?.[1] !== undefined) return `${value(last[1], DAY_OF_WEEK)}L`;
  const nth = /^(\w+)#(\d)$/.exec(field);
  if (nth?.[1] !== undefined && nth[2] !== undefined) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new CronFieldError(`day-of-week: #${n} is not between 1 and 5`);
    return `${value(nth[1], DAY_OF_WEEK)}#${n}`;
  }
  if (field.includes("#")) throw new CronFieldError("day-of-week: only one # expression is allowed");
  if (field.includes("/")) throw new CronFieldError("day-of-week: / is not allowed");
  return list(field, DAY_OF_WEEK);
}

/** AWS's cron fields as a croner pattern (seconds first, Quartz weekday numbering), or CronFieldError. */
export function cronToCroner(fields: string): string {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6) throw new CronFieldError(`cron needs 6 fields, found ${parts.length}`);
  const [min = "", hour = "", dom = "", month = "", dow = "", year = ""] = parts;
  if ((dom === "?") === (dow === "?")) throw new CronFieldError("exactly one of day-of-month and day-of-week must be ?");
  return ["0", list(min, MINUTES), list(hour, HOURS), dayOfMonth(dom), list(month, MONTH), dayOfWeek(dow), list(year, YEAR)].join(" ");
}

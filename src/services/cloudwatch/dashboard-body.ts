/**
 * PutDashboard's check of a DashboardBody: the structure the "Dashboard Body Structure and Syntax" page documents,
 * answered as CloudWatch does, a list of DashboardValidationMessages (a JSON-pointer `DataPath`, a `Message` in the
 * words of AWS's own validator: "Should have required property 'widgets'", "Should be array"). Errors refuse the
 * dashboard; warnings are answered with a stored one. Checked:
 * - the body is a JSON object with a `widgets` array of at most 500 widgets; `variables`, when given, an array of
 *   at most 25; `periodOverride` auto or inherit; `start`, `end` strings, and no `end` without `start`;
 * - each widget an object with a `type` of metric, text, log, alarm, explorer or custom (CDK's CustomWidget),
 *   integer `x` 0–23 and `y` ≥ 0 (each requiring the other), `width` 1–24, `height` 1–1000, and `properties`;
 * - per type, the properties the page marks required: text `markdown`; metric `metrics` or `annotations`; log
 *   `query`; alarm `alarms` (1–100 ARNs); explorer `metrics` (1–100) and `labels`.
 * Warnings (messages ours): a widget reaching past column 24, a metric or log widget without a `region`.
 * Nothing inside a metric's array, an expression or a query is checked.
 */

export interface DashboardValidationMessage {
  readonly DataPath: string;
  readonly Message: string;
}

export interface BodyCheck {
  readonly errors: DashboardValidationMessage[];
  readonly warnings: DashboardValidationMessage[];
}

const WIDGET_TYPES = ["metric", "text", "log", "alarm", "explorer", "custom"];
const MAX_WIDGETS = 500;
const MAX_VARIABLES = 25;
const GRID_COLUMNS = 24;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Checks a DashboardBody; the body is refused when `errors` is not empty. */
export function checkDashboardBody(body: string): BodyCheck {
  const errors: DashboardValidationMessage[] = [];
  const warnings: DashboardValidationMessage[] = [];
  const error = (path: string, message: string) => void errors.push({ DataPath: path, Message: message });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    error("", "The field DashboardBody must be a valid JSON object");
    return { errors, warnings };
  }
  if (!isObject(parsed)) {
    error("", "Should be object");
    return { errors, warnings };
  }
  checkTopLevel(parsed, error);
  const widgets = parsed.widgets;
  // Past the widget limit the body is refused as a whole: its widgets are not checked one by one (a body of
  // half a million empty widgets would make as many messages).
  if (Array.isArray(widgets) && widgets.length <= MAX_WIDGETS) widgets.forEach((widget, i) => checkWidget(widget, `/widgets/${i}`, error, (path, message) => void warnings.push({ DataPath: path, Message: message })));
  return { errors, warnings };
}

type Report = (path: string, message: string) => void;

function checkTopLevel(body: Json, error: Report): void {
  if (!Object.hasOwn(body, "widgets")) error("", "Should have required property 'widgets'");
  else if (!Array.isArray(body.widgets)) error("/widgets", "Should be array");
  else if (body.widgets.length > MAX_WIDGETS) error("/widgets", `Should NOT have more than ${MAX_WIDGETS} items`);
  if (Object.hasOwn(body, "variables")) {
    if (!Array.isArray(body.variables)) error("/variables", "Should be array");
    else if (body.variables.length > MAX_VARIABLES) error("/variables", `Should NOT have more than ${MAX_VARIABLES} items`);
  }
  for (const key of ["start", "end"]) if (Object.hasOwn(body, key) && typeof body[key] !== "string") error(`/${key}`, "Should be string");
  if (Object.hasOwn(body, "end") && !Object.hasOwn(body, "start")) error("", "Should have property start when property end is present");
  if (Object.hasOwn(body, "periodOverride") && body.periodOverride !== "auto" && body.periodOverride !== "inherit") error("/periodOverride", "Should be equal to one of the allowed values");
}

function checkWidget(widget: unknown, path: string, error: Report, warn: Report): void {
  if (!isObject(widget)) return error(path, "Should be object");
  if (!Object.hasOwn(widget, "type")) error(path, "Should have required property 'type'");
  else if (typeof widget.type !== "string" || !WIDGET_TYPES.includes(widget.type)) error(`${path}/type`, "Should be equal to one of the allowed values");
  const place = { x: [0, GRID_COLUMNS - 1], y: [0, Number.MAX_SAFE_INTEGER], width: [1, GRID_COLUMNS], height: [1, 1000] } as const;
  for (const [key, [min, max]] of Object.entries(place)) {
    if (!Object.hasOwn(widget, key)) continue;
    const value = widget[key];
    if (typeof value !== "number" || !Number.isInteger(value)) error(`${path}/${key}`, "Should be integer");
    else if (value < min) error(`${path}/${key}`, `Should be >= ${min}`);
    else if (value > max) error(`${path}/${key}`, `Should be <= ${max}`);
  }
  if (Object.hasOwn(widget, "x") !== Object.hasOwn(widget, "y")) {
    const [given, other] = Object.hasOwn(widget, "x") ? ["x", "y"] : ["y", "x"];
    error(path, `Should have property ${other} when property ${given} is present`);
  }
  if (typeof widget.x === "number" && Number.isInteger(widget.x) && widget.x >= 0 && widget.x + (typeof widget.width === "number" ? widget.width : 6) > GRID_COLUMNS) {
    warn(path, `The widget reaches past the ${GRID_COLUMNS}-column grid and is drawn narrower or on the next row`);
  }
  if (!Object.hasOwn(widget, "properties")) return error(path, "Should have required property 'properties'");
  if (!isObject(widget.properties)) return error(`${path}/properties`, "Should be object");
  checkProperties(String(widget.type), widget.properties, `${path}/properties`, error, warn);
}

const required = (properties: Json, key: string, path: string, error: Report): boolean => {
  if (Object.hasOwn(properties, key)) return true;
  error(path, `Should have required property '${key}'`);
  return false;
};

function checkArray(properties: Json, key: string, path: string, error: Report, limits: { min: number; max: number }): void {
  const value = properties[key];
  if (!Array.isArray(value)) return error(`${path}/${key}`, "Should be array");
  if (value.length < limits.min) error(`${path}/${key}`, `Should NOT have fewer than ${limits.min} items`);
  if (value.length > limits.max) error(`${path}/${key}`, `Should NOT have more than ${limits.max} items`);
}

function checkProperties(type: string, properties: Json, path: string, error: Report, warn: Report): void {
  switch (type) {
    case "text":
      if (required(properties, "markdown", path, error) && typeof properties.markdown !== "string") error(`${path}/markdown`, "Should be string");
      return;
    case "metric":
      if (!Object.hasOwn(properties, "metrics") && !Object.hasOwn(properties, "annotations")) {
        error(path, "Should have required property 'metrics'");
        error(path, "Should have required property 'annotations'");
      } else if (Object.hasOwn(properties, "metrics")) {
        checkArray(properties, "metrics", path, error, { min: 0, max: 500 });
      }
      if (!Object.hasOwn(properties, "region")) warn(path, "The widget names no region; the console draws it in the Region it is opened in");
      return;
    case "log":
      if (required(properties, "query", path, error) && typeof properties.query !== "string") error(`${path}/query`, "Should be string");
      if (!Object.hasOwn(properties, "region")) warn(path, "The widget names no region; the console runs its query in the Region it is opened in");
      return;
    case "alarm":
      if (required(properties, "alarms", path, error)) checkArray(properties, "alarms", path, error, { min: 1, max: 100 });
      return;
    case "explorer":
      if (required(properties, "metrics", path, error)) checkArray(properties, "metrics", path, error, { min: 1, max: 100 });
      required(properties, "labels", path, error);
      return;
    default:
      return;
  }
}

/** CloudWatch's message for a refused body: the count, then the messages as JSON (`dataPath`, `message`). */
export function invalidBodyMessage(errors: readonly DashboardValidationMessage[]): string {
  const listed = JSON.stringify(errors.map((e) => ({ dataPath: e.DataPath, message: e.Message })), null, 2);
  // The form of the AWS messages seen (always "are … errors"); whether AWS says "is 1 … error" for one is unconfirmed.
  return `The dashboard body is invalid, there are ${errors.length} validation errors:\n${listed}`;
}

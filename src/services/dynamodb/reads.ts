/**
 * Query and Scan: pages that stop at `Limit` evaluated items or at 1 MB of read data (before the
 * filter, as DynamoDB counts), with LastEvaluatedKey whenever a page stopped early.
 */
import type { DynamoItemRow, DynamoKeyRange } from "../../store/ports.js";
import { checkMap, evaluate, keyRange, project, type AttributeMap, type Condition, type KeyRange, type Path } from "./expressions/index.js";
import { consumed, itemTable, RequestExpressions, type DynamoContext, type ExpressionInput, type LoadedTable } from "./context.js";
import { checkKey, encodeKeyValue, itemOf, keyAttributes, sortBounds, wireJsonOf, withinBounds } from "./keys.js";
import type { RawJson } from "../../protocol/codecs/raw-json.js";
import { invalid } from "./table-definition.js";
import { legacyCondition, legacyProjection, refuseMixing, type LegacyCondition } from "./legacy.js";
import { findIndex, indexKeyOf, indexReader, projectIndex, projectsAll, startOrder, type IndexReader, type IndexView } from "./index-reads.js";

const PAGE_BYTES = 1024 * 1024;
const BATCH_ROWS = 256;

interface ReadInput extends ExpressionInput {
  readonly TableName: string;
  readonly IndexName?: string;
  readonly FilterExpression?: string;
  readonly ProjectionExpression?: string;
  readonly Limit?: number;
  readonly ExclusiveStartKey?: Record<string, unknown>;
  readonly Select?: string;
  readonly ConsistentRead?: boolean;
  readonly ReturnConsumedCapacity?: string;
  readonly AttributesToGet?: string[];
  readonly ConditionalOperator?: string;
}

export interface QueryInput extends ReadInput {
  readonly KeyConditionExpression?: string;
  readonly ScanIndexForward?: boolean;
  readonly KeyConditions?: Record<string, LegacyCondition>;
  readonly QueryFilter?: Record<string, LegacyCondition>;
}

export interface ScanInput extends ReadInput {
  readonly Segment?: number;
  readonly TotalSegments?: number;
  readonly ScanFilter?: Record<string, LegacyCondition>;
}

/** A page's item: parsed, or (a whole item, unfiltered) its stored JSON, which is its wire form. */
type PageItem = AttributeMap | RawJson;

interface Page {
  readonly items: PageItem[];
  readonly scanned: number;
  readonly lastKey: AttributeMap | undefined;
  readonly bytes: number;
}

/** Pulls rows batch by batch until Limit or 1 MB; `fetch` resumes after the last row it was given, at most `count` rows. */
interface PageRules {
  readonly limit: number | undefined;
  /** Rows a Scan segment leaves to the others. */
  readonly keep: (row: DynamoItemRow) => boolean;
  /** What a row's item looks like to the filter and the caller (an index's projection). */
  readonly view: (item: AttributeMap) => AttributeMap;
  readonly lastKeyOf: (item: AttributeMap) => AttributeMap;
  readonly filter: Condition | undefined;
  /** Items leave whole and unfiltered: each goes out as its stored JSON, unparsed (only the last key is read). */
  readonly raw?: boolean;
  /** How a row's item is read (itemOf; an index read has parsed its items already). */
  readonly parse?: (row: DynamoItemRow) => AttributeMap;
  /** The filter reads the whole stored item, not its view (an LSI fetches what it does not project). */
  readonly filterWhole?: boolean;
}

async function readPage(fetch: (after: DynamoItemRow | undefined, count: number) => Promise<DynamoItemRow[]>, rules: PageRules): Promise<Page> {
  const { limit, keep, view, lastKeyOf, filter } = rules;
  const raw = rules.raw === true && filter === undefined;
  const parse = rules.parse ?? ((row: DynamoItemRow) => itemOf(row) as AttributeMap);
  const items: PageItem[] = [];
  let scanned = 0;
  let bytes = 0;
  let last: DynamoItemRow | undefined;
  for (;;) {
    // Limit counts evaluated rows, so a page under a Limit never needs more than the rows it lacks.
    const count = limit === undefined ? BATCH_ROWS : Math.min(BATCH_ROWS, limit - scanned);
    const rows = await fetch(last, count);
    for (const row of rows) {
      last = row;
      if (!keep(row)) continue;
      scanned++;
      bytes += row.size;
      const full = scanned === limit || bytes >= PAGE_BYTES;
      if (raw) {
        items.push(wireJsonOf(row));
        if (full) return { items, scanned, bytes, lastKey: lastKeyOf(parse(row)) };
        continue;
      }
      const stored = parse(row);
      const item = view(stored);
      if (filter === undefined || evaluate(filter, rules.filterWhole === true ? stored : item)) items.push(item);
      if (full) return { items, scanned, bytes, lastKey: lastKeyOf(stored) };
    }
    if (rows.length < count) return { items, scanned, bytes, lastKey: undefined };
  }
}

/** How DynamoDB names what a Select other than SPECIFIC_ATTRIBUTES gets, in its refusal of a projection beside it. */
const SELECTED: Record<string, string> = { ALL_ATTRIBUTES: "ALL_ATTRIBUTES", ALL_PROJECTED_ATTRIBUTES: "ALL_PROJECTED_ATTRIBUTES", COUNT: "only the Count" };

/** Select against the projection and the index, with DynamoDB's messages (a Query's carry its "1 validation error detected: "). */
function checkSelect(operation: "Query" | "Scan", input: ReadInput, projection: Path[] | undefined): void {
  const refuse = (message: string) => invalid(`${operation === "Query" ? "1 validation error detected: " : ""}${message}`);
  const select = input.Select;
  if (select === "SPECIFIC_ATTRIBUTES" && projection === undefined) throw refuse("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
  if (select !== undefined && select !== "SPECIFIC_ATTRIBUTES" && projection !== undefined) {
    throw refuse(`Cannot specify the ${input.ProjectionExpression !== undefined ? "ProjectionExpression" : "AttributesToGet"} when choosing to get ${SELECTED[select] ?? select}`);
  }
  if (select === "ALL_PROJECTED_ATTRIBUTES" && input.IndexName === undefined) throw refuse("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
}

/**
 * What a read through an index sees of each item. A GSI holds only what it projects: Select
 * ALL_ATTRIBUTES is refused unless it projects everything, and its filter sees its projection. An LSI
 * fetches from the table what it does not project (at a read's cost on AWS), so ALL_ATTRIBUTES and a
 * projection read the whole item, and its filter always does.
 */
function indexRules(table: LoadedTable, index: IndexView, input: ReadInput, projection: Path[] | undefined): Pick<PageRules, "view" | "filterWhole"> & { whole: boolean } {
  if (index.global && input.Select === "ALL_ATTRIBUTES" && !projectsAll(index)) {
    throw invalid(`One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${index.name} because its projection type is not ALL`);
  }
  const whole = projectsAll(index) || (!index.global && (input.Select === "ALL_ATTRIBUTES" || projection !== undefined));
  return { whole, view: whole ? (item) => item : (item) => projectIndex(table, index, item), filterWhole: !index.global };
}

/** A read's response members. */
export interface ReadAnswer<Item = AttributeMap> {
  /** Parsed items; `query` and `scan` without a filter or projection answer their stored JSON (RawJson). */
  readonly Items?: Item[];
  readonly Count: number;
  readonly ScannedCount: number;
  readonly LastEvaluatedKey?: AttributeMap;
  readonly ConsumedCapacity?: unknown;
}

function answer(input: ReadInput, table: LoadedTable, page: Page, projection: Path[] | undefined): ReadAnswer<PageItem> {
  // A projected read's page holds parsed items (only a whole-item read's are raw).
  const items = projection === undefined ? page.items : page.items.map((item) => project(item as AttributeMap, projection));
  return {
    ...(input.Select === "COUNT" ? {} : { Items: items }),
    Count: page.items.length,
    ScannedCount: page.scanned,
    ...(page.lastKey === undefined ? {} : { LastEvaluatedKey: page.lastKey }),
    ...consumed(input.ReturnConsumedCapacity, table.name, () => Math.max(1, Math.ceil(page.bytes / 4096)) / (input.ConsistentRead === true ? 1 : 2)),
  };
}

/** The store range of a key condition. */
function storeRange(table: LoadedTable, range: KeyRange, forward: boolean, limit: number, after: Buffer | undefined): DynamoKeyRange {
  return { table: table.name, partitionKey: encodeKeyValue(range.partition), forward, limit, after, ...sortBounds(range) };
}

export async function query(ctx: DynamoContext, input: QueryInput): Promise<object> {
  refuseMixing(input, ["KeyConditions", "QueryFilter", "AttributesToGet"], ["KeyConditionExpression", "FilterExpression", "ProjectionExpression"]);
  const table = await itemTable(ctx, input.TableName);
  const expressions = new RequestExpressions(input);
  const keyCondition = expressions.condition(input.KeyConditionExpression, "KeyConditionExpression") ?? legacyCondition(input.KeyConditions, "AND");
  if (keyCondition === undefined) throw invalid("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  const filter = expressions.condition(input.FilterExpression, "FilterExpression") ?? legacyCondition(input.QueryFilter, input.ConditionalOperator);
  const projection = expressions.projection(input.ProjectionExpression) ?? legacyProjection(input.AttributesToGet);
  expressions.finish();
  checkSelect("Query", input, projection);
  return queryPage(ctx, table, input, { keyCondition, filter, projection }, ctx.rawItems === true && filter === undefined && projection === undefined);
}

/** The parsed parts of a read (from its expressions, or from a PartiQL statement). */
export interface ParsedRead {
  readonly keyCondition?: Condition;
  readonly filter: Condition | undefined;
  readonly projection: Path[] | undefined;
}

/** A Query page once its conditions are parsed; `input` gives the index, paging and capacity options. */
export async function runQuery(ctx: DynamoContext, table: LoadedTable, input: QueryInput, parsed: ParsedRead & { keyCondition: Condition }): Promise<ReadAnswer> {
  // Not raw: every item of the page is parsed.
  return (await queryPage(ctx, table, input, parsed, false)) as ReadAnswer;
}

/** runQuery's page; `raw`: the table's items go out whole, as their stored JSON (RawJson), for a caller that only answers them. */
async function queryPage(ctx: DynamoContext, table: LoadedTable, input: QueryInput, parsed: ParsedRead & { keyCondition: Condition }, raw: boolean): Promise<ReadAnswer<PageItem>> {
  const { keyCondition, filter, projection } = parsed;
  const forward = input.ScanIndexForward !== false;
  if (input.IndexName !== undefined) {
    const index = findIndex(table, input.IndexName, input.ConsistentRead);
    const { whole, ...rules } = indexRules(table, index, input, projection);
    const range = keyRange(keyCondition, index.schema);
    const start = indexStart(input, table, index);
    if (start !== undefined) checkStartWithin(range, start[0] as Buffer, start[1] as Buffer);
    const read = indexReader(ctx, table, index, range, forward, start);
    return answer(input, table, await readIndexPage(input, table, index, read, { ...rules, filter, keep: () => true, raw: raw && whole }), projection);
  }
  const range = keyRange(keyCondition, table.schema);
  const start = input.ExclusiveStartKey === undefined ? undefined : checkStartKey(table, input.ExclusiveStartKey);
  if (start !== undefined) checkStartWithin(range, start.partitionKey, start.sortKey);
  const fetch = (after: DynamoItemRow | undefined, count: number) => ctx.store.query(storeRange(table, range, forward, count, after?.sortKey ?? start?.sortKey));
  const page = await readPage(fetch, { limit: input.Limit, keep: () => true, view: (item) => item, lastKeyOf: (item) => keyAttributes(table.schema, item), filter, raw });
  return answer(input, table, page, projection);
}

/** A Query's ExclusiveStartKey (its partition and sort key bytes, the index's for an index) must meet the key condition. */
function checkStartWithin(range: KeyRange, partition: Buffer, sort: Buffer): void {
  if (!partition.equals(encodeKeyValue(range.partition)) || !withinBounds(sort, sortBounds(range))) {
    throw invalid("The provided starting key is outside query boundaries based on provided conditions");
  }
}

function checkStartKey(table: LoadedTable, raw: Record<string, unknown>) {
  try {
    return checkKey(table.name, table.schema, raw).key;
  } catch {
    throw invalid("The provided starting key is invalid: The provided key element does not match the schema");
  }
}

/** Which of `total` segments a partition key falls in (a stable hash of its bytes). */
function segmentOf(partitionKey: Buffer, total: number): number {
  let hash = 2166136261;
  for (const byte of partitionKey) hash = Math.imul(hash ^ byte, 16777619) >>> 0;
  return hash % total;
}

export async function scan(ctx: DynamoContext, input: ScanInput): Promise<object> {
  refuseMixing(input, ["ScanFilter", "AttributesToGet"], ["FilterExpression", "ProjectionExpression"]);
  const { Segment: segment, TotalSegments: total } = input;
  if (segment !== undefined && total === undefined) throw invalid("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
  if (total !== undefined && segment === undefined) throw invalid("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
  if (segment !== undefined && total !== undefined && segment >= total) {
    throw invalid(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${total}`);
  }
  const table = await itemTable(ctx, input.TableName);
  const expressions = new RequestExpressions(input);
  const filter = expressions.condition(input.FilterExpression, "FilterExpression") ?? legacyCondition(input.ScanFilter, input.ConditionalOperator);
  const projection = expressions.projection(input.ProjectionExpression) ?? legacyProjection(input.AttributesToGet);
  expressions.finish();
  checkSelect("Scan", input, projection);
  return scanPage(ctx, table, input, { filter, projection }, ctx.rawItems === true && filter === undefined && projection === undefined);
}

/** A Scan page once its filter and projection are parsed. */
export async function runScan(ctx: DynamoContext, table: LoadedTable, input: ScanInput, parsed: ParsedRead): Promise<ReadAnswer> {
  // Not raw: every item of the page is parsed.
  return (await scanPage(ctx, table, input, parsed, false)) as ReadAnswer;
}

/** runScan's page; `raw` as queryPage's. */
async function scanPage(ctx: DynamoContext, table: LoadedTable, input: ScanInput, { filter, projection }: ParsedRead, raw: boolean): Promise<ReadAnswer<PageItem>> {
  const { Segment: segment, TotalSegments: total } = input;
  const keep = (row: DynamoItemRow) => total === undefined || segmentOf(row.partitionKey, total) === segment;
  if (input.IndexName !== undefined) {
    const index = findIndex(table, input.IndexName, input.ConsistentRead);
    const { whole, ...rules } = indexRules(table, index, input, projection);
    const read = indexReader(ctx, table, index, undefined, true, indexStart(input, table, index));
    return answer(input, table, await readIndexPage(input, table, index, read, { ...rules, filter, keep, raw: raw && whole }), projection);
  }
  const start = input.ExclusiveStartKey === undefined ? undefined : checkStartKey(table, input.ExclusiveStartKey);
  const fetch = (after: DynamoItemRow | undefined, count: number) => ctx.store.scan(table.name, after ?? start, count);
  const page = await readPage(fetch, { limit: input.Limit, keep, view: (item) => item, lastKeyOf: (item) => keyAttributes(table.schema, item), filter, raw });
  return answer(input, table, page, projection);
}

/** The place in the index's order an ExclusiveStartKey names. */
function indexStart(input: ReadInput, table: LoadedTable, index: IndexView): Buffer[] | undefined {
  return input.ExclusiveStartKey === undefined ? undefined : startOrder(table, index, checkMap(input.ExclusiveStartKey));
}

/**
 * A page of an index read under the usual page rules (indexRules' view; `raw`: whole items out as
 * stored): `read` resumes where its last rows ended.
 */
function readIndexPage(input: ReadInput, table: LoadedTable, index: IndexView, read: IndexReader, rules: Pick<PageRules, "filter" | "keep" | "raw" | "view" | "filterWhole">): Promise<Page> {
  return readPage((_after, count) => read.next(count), { ...rules, limit: input.Limit, lastKeyOf: (item) => indexKeyOf(table, index, item), parse: read.itemOf });
}

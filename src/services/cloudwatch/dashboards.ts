/**
 * CloudWatch dashboards: PutDashboard (creates or replaces; the body checked by dashboard-body.ts and kept exactly as
 * given), GetDashboard, ListDashboards (by name, 1,000 a page, a name prefix) and DeleteDashboards (all named must
 * exist, or none is deleted). Dashboards are global, so their ARN has no Region: `arn:aws:cloudwatch::<account>:dashboard/<name>`.
 * Kept as documents by name in the store (`cloudwatchDashboards`), so they survive a restart and every node of a
 * cluster sees them. Their tags are taken at creation (ignored on a replacing PutDashboard, as the API reference says)
 * and changed with TagResource / UntagResource (resource-tags.ts).
 */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { DashboardRecord, DocumentStore } from "../../store/ports.js";
import { checkTagCount, tagRecord } from "./resource-tags.js";
import { namePage } from "./alarm-paging.js";
import { dashboardArn } from "./authorization.js";
import { checkDashboardBody, invalidBodyMessage } from "./dashboard-body.js";
import { invalidValue } from "./parameters.js";

export interface DashboardDeps {
  readonly dashboards: DocumentStore<DashboardRecord>;
  readonly account: Account;
}

/** "ListDashboards returns up to 1000 results on one page." */
const PAGE_SIZE = 1000;
/** "You can specify up to 100 dashboards to delete." */
const MAX_DELETE = 100;
/** AWS states no size for a body; Unkai refuses one over 1 MiB (its bodies are bounded by their 500 widgets anyway). */
const MAX_BODY_BYTES = 1_048_576;
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const PREFIX = /^[A-Za-z0-9._-]{0,255}$/;

const notFound = (names: readonly string[]) =>
  new UnkaiError("DashboardNotFoundError", `${names.length === 1 ? "Dashboard" : "Dashboards"} ${names.join(", ")} ${names.length === 1 ? "does" : "do"} not exist.`);

/** Refuses a name CloudWatch would not take, in AWS's words. */
export function checkDashboardName(name: string): string {
  if (name.length > 255) throw invalidValue(`The value for field DashboardName is ${name.length} characters long; it may be at most 255.`);
  if (!NAME.test(name)) throw invalidValue(`The value ${name} for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).`);
  return name;
}

interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export function dashboardOperations(deps: DashboardDeps) {
  const arnOf = (name: string) => dashboardArn(deps.account, name);
  return {
    async PutDashboard(input: { DashboardName: string; DashboardBody: string; Tags?: Tag[] }) {
      const name = checkDashboardName(input.DashboardName);
      const size = Buffer.byteLength(input.DashboardBody);
      if (size > MAX_BODY_BYTES) throw invalidValue(`The value for field DashboardBody is ${size} bytes; Unkai keeps dashboard bodies up to ${MAX_BODY_BYTES} bytes.`);
      const { errors, warnings } = checkDashboardBody(input.DashboardBody);
      if (errors.length > 0) {
        // The messages as the error's own member too, for the JSON and CBOR wires (the model's DashboardInvalidInputError).
        throw new UnkaiError("DashboardInvalidInputError", invalidBodyMessage(errors), { dashboardValidationMessages: errors } as unknown as Record<string, string>);
      }
      const tags = checkTagCount(tagRecord(input.Tags));
      const existing = await deps.dashboards.get(name);
      await deps.dashboards.put(name, { name, body: input.DashboardBody, lastModified: Date.now(), tags: existing?.tags ?? tags });
      return { DashboardValidationMessages: warnings };
    },
    async GetDashboard(input: { DashboardName: string }) {
      const found = await deps.dashboards.get(input.DashboardName);
      if (!found) throw notFound([input.DashboardName]);
      return { DashboardArn: arnOf(found.name), DashboardBody: found.body, DashboardName: found.name };
    },
    async ListDashboards(input: { DashboardNamePrefix?: string; NextToken?: string }) {
      const prefix = input.DashboardNamePrefix ?? "";
      if (!PREFIX.test(prefix)) throw invalidValue(`The value ${prefix} for field DashboardNamePrefix is invalid: it may have up to 255 alphanumerics, periods (.), dashes (-) and underscores (_).`);
      const matching = (await deps.dashboards.list()).filter((d) => d.name.startsWith(prefix));
      const invalid = () => invalidValue("The value for field NextToken is not a token ListDashboards gave.");
      const { page, nextToken } = namePage(matching, { op: "ListDashboards", nameOf: (d) => d.name, size: PAGE_SIZE, invalid }, input.NextToken);
      return {
        DashboardEntries: page.map((d) => ({ DashboardName: d.name, DashboardArn: arnOf(d.name), LastModified: new Date(d.lastModified), Size: Buffer.byteLength(d.body) })),
        ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
      };
    },
    async DeleteDashboards(input: { DashboardNames: string[] }) {
      if (input.DashboardNames.length > MAX_DELETE) throw invalidValue(`DeleteDashboards deletes at most ${MAX_DELETE} dashboards; ${input.DashboardNames.length} were named.`);
      const missing: string[] = [];
      for (const name of new Set(input.DashboardNames)) if (!(await deps.dashboards.get(name))) missing.push(name);
      if (missing.length > 0) throw notFound(missing);
      for (const name of new Set(input.DashboardNames)) await deps.dashboards.delete(name);
    },
  };
}

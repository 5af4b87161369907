/** docs/errors.md's "S3 errors" table lists exactly the S3 error table, with the same statuses. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { S3_ERRORS } from "../src/services/s3/errors.js";
import { REPO_ROOT } from "./helpers/paths.js";

describe("S3 error docs", () => {
  it("docs/errors.md matches S3_ERRORS row for row", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs", "errors.md"), "utf8");
    const start = doc.indexOf("## S3 errors");
    const end = doc.indexOf("\n## ", start + 1);
    const section = doc.slice(start, end < 0 ? undefined : end);
    const rows = new Map<string, number>();
    for (const line of section.split("\n")) {
      const cells = line.split("|").map((cell) => cell.trim());
      if (cells.length < 4 || !/^[A-Z][A-Za-z0-9]+$/.test(cells[1] ?? "") || !/^\d+$/.test(cells[2] ?? "")) continue;
      rows.set(cells[1] ?? "", Number(cells[2]));
    }
    assert.deepEqual(rows, new Map(Object.entries(S3_ERRORS)));
  });
});

/** Locations shared by the tests (compiled tests live in dist/test/). */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const FIXTURES = join(REPO_ROOT, "test", "fixtures", "functions");
/** The AWS CLI v2 from Debian's `awscli` package (a v1 may shadow it on PATH). */
export const AWS_CLI = process.env.UNKAI_TEST_AWS_CLI ?? "/usr/bin/aws";

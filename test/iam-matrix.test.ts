/**
 * An allow/deny matrix under `--iam enforce` (issue 20): every case of test/helpers/iam-matrix-cases.ts,
 * derived from AWS's documented evaluation logic and examples, is a real SDK v3 call made with the
 * credentials of the principal in question (IAM users' keys, AssumeRole sessions), so the signature,
 * the principal's resolution, the service's action table and the evaluator all take part.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { attempt } from "./helpers/outcome.js";
import { CASES, MESSAGES, type Case } from "./helpers/iam-matrix-cases.js";
import { buildWorld, CONDITION_CALLS, STANDARD_CALLS, type World } from "./helpers/iam-matrix-world.js";
import { unkaiSuite } from "./helpers/suite.js";

const CONCURRENCY = 8;
const CALLS = { ...STANDARD_CALLS, ...CONDITION_CALLS };

/** The outcome as a case states it: the whole `Name: message` where the sample names a sentence, else the error name. */
function outcomeOf(result: string, key: string): string {
  if (result === "ok" || MESSAGES.has(key)) return result;
  return result.slice(0, result.indexOf(":"));
}

async function runAll(world: World, cases: readonly Case[]): Promise<string[]> {
  const outcomes: string[] = new Array<string>(cases.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const [principal, call] = cases[i] as Case;
      const clients = world.principals.get(principal);
      const make = CALLS[call];
      assert.ok(clients && make, `unknown principal or call in case ${principal} ${call}`);
      outcomes[i] = outcomeOf(await attempt(() => make(clients, world)), `${principal} ${call}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcomes;
}

describe("IAM allow/deny matrix under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  let world: World;
  before(async () => {
    world = await buildWorld(suite.unkai.url);
  });
  after(() => {
    for (const clients of world?.principals.values() ?? []) clients.destroy();
  });

  it("every case ends as AWS documents, with the principal's own credentials", async () => {
    assert.ok(CASES.length >= 200, `at least 200 cases (${CASES.length})`);
    const keys = CASES.map(([principal, call]) => `${principal} ${call}`);
    assert.equal(new Set(keys).size, keys.length, "no case twice");
    const outcomes = await runAll(world, CASES);
    const wrong = CASES.flatMap(([principal, call, expected], i) => {
      const want = MESSAGES.get(`${principal} ${call}`) ?? expected;
      return outcomes[i] === want ? [] : [`${principal} | ${call} | expected ${want} | got ${outcomes[i]}`];
    });
    const allowed = outcomes.filter((o) => o === "ok").length;
    console.log(`# matrix: ${CASES.length} cases, ${allowed} allowed, ${CASES.length - allowed} denied`);
    assert.deepEqual(wrong, []);
  });

  it("each sampled sentence belongs to a case that expects that denial", () => {
    for (const [key, message] of MESSAGES) {
      const found = CASES.find(([principal, call]) => `${principal} ${call}` === key);
      assert.ok(found, `a case for ${key}`);
      assert.ok(message.startsWith(`${found[2]}: `), `${key} expects ${found[2]}`);
    }
  });
});

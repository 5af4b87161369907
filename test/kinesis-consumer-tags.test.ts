/**
 * Enhanced fan-out consumers keep their own tags (SDK v3): RegisterStreamConsumer `Tags`, TagResource /
 * UntagResource / ListTagsForResource on the consumer's ARN apart from its stream's, the 50-tag limit, a missing
 * consumer, and tags gone with DeregisterStreamConsumer. Under `--iam enforce` they are the consumer's
 * `aws:ResourceTag/<key>`, and RegisterStreamConsumer with `Tags` also needs kinesis:TagResource on the consumer,
 * as the API reference says. (Debian's boto3 1.26 predates consumer tags, so SDK v3 only.)
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateStreamCommand, DeregisterStreamConsumerCommand, DescribeStreamConsumerCommand, KinesisClient, ListStreamConsumersCommand, ListTagsForResourceCommand,
  RegisterStreamConsumerCommand, TagResourceCommand, UntagResourceCommand,
} from "@aws-sdk/client-kinesis";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { attempt, type Keys } from "./helpers/outcome.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const STREAM = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/tagged`;
const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));

describe("Kinesis consumer tags", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  let root: KinesisClient;
  const register = async (name: string, Tags?: Record<string, string>) =>
    (await root.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM, ConsumerName: name, ...(Tags ? { Tags } : {}) }))).Consumer?.ConsumerARN ?? "";
  const tagsOf = async (arn: string) => (await root.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags ?? [];

  before(async () => {
    root = new KinesisClient({ endpoint: suite.unkai.url, region: REGION, credentials: DEFAULT_CREDENTIALS });
    await root.send(new CreateStreamCommand({ StreamName: "tagged", ShardCount: 1, Tags: { of: "stream" } }));
  });

  it("RegisterStreamConsumer's Tags, then TagResource and UntagResource on the consumer's ARN, apart from the stream's", async () => {
    const arn = await register("c1", { team: "a", env: "dev" });
    assert.deepEqual(await tagsOf(arn), [{ Key: "env", Value: "dev" }, { Key: "team", Value: "a" }]);
    await root.send(new TagResourceCommand({ ResourceARN: arn, Tags: { team: "b", extra: "" } }));
    await root.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["env", "absent"] }));
    assert.deepEqual(await tagsOf(arn), [{ Key: "extra", Value: "" }, { Key: "team", Value: "b" }]);
    assert.deepEqual(await tagsOf(STREAM), [{ Key: "of", Value: "stream" }], "the stream keeps its own");
    const plain = await register("c-plain");
    assert.deepEqual(await tagsOf(plain), []);
  });

  it("50 tags a consumer at most; a missing consumer is ResourceNotFoundException; the refused registration registers nothing", async () => {
    const arn = await register("c-full", many(50));
    assert.match(await attempt(() => root.send(new TagResourceCommand({ ResourceARN: arn, Tags: { one: "more" } }))), /^InvalidArgumentException: Failed to add tags to consumer: a consumer may have at most 50 tags\.$/);
    await root.send(new TagResourceCommand({ ResourceARN: arn, Tags: { k0: "overwritten" } }));
    assert.equal((await tagsOf(arn)).find((t) => t.Key === "k0")?.Value, "overwritten");
    assert.match(await attempt(() => register("c-over", many(51))), /^InvalidArgumentException: /);
    const names = ((await root.send(new ListStreamConsumersCommand({ StreamARN: STREAM }))).Consumers ?? []).map((c) => c.ConsumerName);
    assert.ok(!names.includes("c-over"), names.join());
    assert.match(await attempt(() => tagsOf(`${STREAM}/consumer/nobody:1700000000`)), /^ResourceNotFoundException: Consumer .*nobody/);
    assert.match(await attempt(() => root.send(new TagResourceCommand({ ResourceARN: `${STREAM}/consumer/nobody:1700000000`, Tags: { a: "b" } }))), /^ResourceNotFoundException: /);
  });

  it("tags go with the consumer: registered again under its name, it starts with none", async () => {
    const arn = await register("c-again", { team: "a" });
    await root.send(new DeregisterStreamConsumerCommand({ ConsumerARN: arn }));
    assert.match(await attempt(() => tagsOf(arn)), /^ResourceNotFoundException: /);
    const again = await register("c-again");
    assert.deepEqual(await tagsOf(again), []);
  });

  describe("under --iam enforce", () => {
    let user: KinesisClient;
    before(async () => {
      const config = { endpoint: suite.unkai.url, region: REGION, credentials: DEFAULT_CREDENTIALS };
      const iam = new IAMClient(config);
      await iam.send(new CreateUserCommand({ UserName: "efo-a" }));
      await iam.send(new PutUserPolicyCommand({
        UserName: "efo-a", PolicyName: "team-a-consumers", PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "kinesis:DescribeStreamConsumer", Resource: `${STREAM}/consumer/*`, Condition: { StringEquals: { "aws:ResourceTag/team": "a" } } },
            { Effect: "Allow", Action: "kinesis:RegisterStreamConsumer", Resource: STREAM },
          ],
        }),
      }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "efo-a" }));
      const keys: Keys = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
      user = new KinesisClient({ ...config, credentials: keys });
    });

    it("a consumer's tags are its aws:ResourceTag: team a's is described, team b's refused until retagged", async () => {
      const a = await register("iam-a", { team: "a" });
      const b = await register("iam-b", { team: "b" });
      assert.equal(await attempt(() => user.send(new DescribeStreamConsumerCommand({ ConsumerARN: a }))), "ok");
      assert.match(await attempt(() => user.send(new DescribeStreamConsumerCommand({ ConsumerARN: b }))),
        new RegExp(`^AccessDeniedException: User: arn:aws:iam::${ACCOUNT}:user/efo-a is not authorized to perform: kinesis:DescribeStreamConsumer on resource: ${b.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} because no identity-based policy allows`));
      await root.send(new TagResourceCommand({ ResourceARN: b, Tags: { team: "a" } }));
      assert.equal(await attempt(() => user.send(new DescribeStreamConsumerCommand({ ConsumerARN: b }))), "ok", "the retag counts from the next request");
    });

    it("RegisterStreamConsumer with Tags also needs kinesis:TagResource on the consumer; without Tags it does not", async () => {
      assert.match(await attempt(() => user.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM, ConsumerName: "by-user", Tags: { team: "a" } }))),
        /^AccessDeniedException: .* is not authorized to perform: kinesis:TagResource on resource: arn:aws:kinesis:us-east-1:000000000000:stream\/tagged\/consumer\/by-user:\d+ because/);
      assert.equal(await attempt(() => user.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM, ConsumerName: "by-user" }))), "ok");
    });
  });
});

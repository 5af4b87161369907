/**
 * Kinesis resource-based policies against a real Unkai under IAM enforcement (the default), with SDK v3:
 * PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy on a stream and on a consumer; a user
 * with no policy of its own is let in by a stream policy naming it (and only for what it names), and
 * out again once the policy is gone; a Deny in the stream's policy wins over a user's AdministratorAccess;
 * a consumer's own policy governs DescribeStreamConsumer; bad input gets Kinesis's errors.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateStreamCommand, DeleteResourcePolicyCommand, DescribeStreamConsumerCommand, GetResourcePolicyCommand, KinesisClient, PutRecordCommand,
  PutResourcePolicyCommand, RegisterStreamConsumerCommand,
} from "@aws-sdk/client-kinesis";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const STREAM = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/shared`;
const USER = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

describe("Kinesis resource policies", () => {
  let unkai: TestUnkai;
  let root: KinesisClient;
  let iam: IAMClient;
  let reader: KinesisClient;
  let admin: KinesisClient;
  let consumerArn = "";
  const config = (url: string, credentials: { accessKeyId: string; secretAccessKey: string }) => ({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });

  /** A user with an access key, and AdministratorAccess when `administrator`. */
  async function user(name: string, administrator: boolean): Promise<KinesisClient> {
    await iam.send(new CreateUserCommand({ UserName: name }));
    if (administrator) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    assert.ok(AccessKey?.AccessKeyId && AccessKey.SecretAccessKey);
    return new KinesisClient(config(unkai.url, { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey }));
  }

  before(async () => {
    unkai = await startUnkai();
    root = new KinesisClient(config(unkai.url, DEFAULT_CREDENTIALS));
    iam = new IAMClient(config(unkai.url, DEFAULT_CREDENTIALS));
    await root.send(new CreateStreamCommand({ StreamName: "shared", ShardCount: 1 }));
    consumerArn = (await root.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM, ConsumerName: "app" }))).Consumer?.ConsumerARN ?? "";
    reader = await user("reader", false);
    admin = await user("admin", true);
  });
  after(async () => {
    for (const client of [root, iam, reader, admin]) client?.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
  });

  const put = (client: KinesisClient) => client.send(new PutRecordCommand({ StreamARN: STREAM, PartitionKey: "k", Data: Buffer.from("x") }));
  const refusal = async (call: Promise<unknown>): Promise<Error> => {
    const error = await call.then(() => undefined, (e: unknown) => e as Error);
    assert.ok(error, "the call was refused");
    return error;
  };

  it("lets in a user the stream's policy names, for the actions it names only, until the policy is deleted", async () => {
    const denied = await refusal(put(reader));
    assert.equal(denied.name, "AccessDeniedException");
    assert.match(denied.message, /user\/reader is not authorized to perform: kinesis:PutRecord on resource/);
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: USER("reader") }, Action: "kinesis:PutRecord", Resource: STREAM }] });
    await root.send(new PutResourcePolicyCommand({ ResourceARN: STREAM, Policy: policy }));
    assert.equal((await root.send(new GetResourcePolicyCommand({ ResourceARN: STREAM }))).Policy, policy);
    await waitFor("the stream's policy to let the reader put", () => put(reader).then((r) => r.SequenceNumber, () => undefined));
    const notNamed = await refusal(reader.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn })));
    assert.equal(notNamed.name, "AccessDeniedException", "an action the policy does not name stays refused");
    await root.send(new DeleteResourcePolicyCommand({ ResourceARN: STREAM }));
    assert.equal((await root.send(new GetResourcePolicyCommand({ ResourceARN: STREAM }))).Policy, "{}");
    assert.equal((await refusal(put(reader))).name, "AccessDeniedException", "refused again once the policy is gone");
  });

  it("a Deny in the stream's policy wins over a user's AdministratorAccess; the consumer's own policy governs the consumer", async () => {
    await put(admin);
    await root.send(new PutResourcePolicyCommand({
      ResourceARN: STREAM,
      Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: { AWS: USER("admin") }, Action: "kinesis:*", Resource: STREAM }] }),
    }));
    const denied = await refusal(put(admin));
    assert.equal(denied.name, "AccessDeniedException");
    assert.match(denied.message, /with an explicit deny in a resource-based policy/);
    assert.equal((await admin.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }))).ConsumerDescription?.ConsumerName, "app", "the stream's policy does not govern its consumer");
    await root.send(new PutResourcePolicyCommand({
      ResourceARN: consumerArn,
      Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: USER("reader") }, Action: "kinesis:DescribeStreamConsumer", Resource: consumerArn }] }),
    }));
    assert.equal((await reader.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }))).ConsumerDescription?.ConsumerARN, consumerArn);
    assert.match((await root.send(new GetResourcePolicyCommand({ ResourceARN: consumerArn }))).Policy ?? "", /DescribeStreamConsumer/);
    await root.send(new DeleteResourcePolicyCommand({ ResourceARN: STREAM }));
  });

  it("refuses bad policies and resources with Kinesis's errors", async () => {
    const failure = async (call: Promise<unknown>, name: string, message: RegExp) => {
      const error = await refusal(call);
      assert.equal(error.name, name);
      assert.match(error.message, message);
    };
    await failure(root.send(new PutResourcePolicyCommand({ ResourceARN: STREAM, Policy: "{not json" })), "InvalidArgumentException", /Policy is not valid/);
    await failure(root.send(new PutResourcePolicyCommand({ ResourceARN: STREAM, Policy: JSON.stringify({ Statement: [{ Effect: "Maybe", Action: "kinesis:*", Resource: "*" }] }) })), "InvalidArgumentException", /Policy is not valid/);
    await failure(root.send(new PutResourcePolicyCommand({ ResourceARN: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/missing`, Policy: "{}" })), "InvalidArgumentException", /Policy is not valid/);
    const allow = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: USER("reader") }, Action: "kinesis:PutRecord", Resource: "*" }] });
    await failure(root.send(new PutResourcePolicyCommand({ ResourceARN: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/missing`, Policy: allow })), "ResourceNotFoundException", /missing/);
    await failure(root.send(new PutResourcePolicyCommand({ ResourceARN: `${STREAM}/consumer/ghost:1700000000`, Policy: allow })), "ResourceNotFoundException", /ghost/);
    await failure(root.send(new GetResourcePolicyCommand({ ResourceARN: "arn:aws:sqs:us-east-1:000000000000:q" })), "ValidationException", /resourceARN.*failed to satisfy constraint/i);
    await failure(root.send(new DeleteResourcePolicyCommand({ ResourceARN: STREAM })), "ResourceNotFoundException", /No resource policy/);
  });
});

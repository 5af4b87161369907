/**
 * SNS topic policies under `--iam enforce`, evaluated by the same resource-policy lookup as queue and
 * function policies: a topic policy naming a user lets it publish without an identity policy (and
 * only publish), a Deny in it beats AdministratorAccess, and AddPermission / RemovePermission edit
 * the statements GetTopicAttributes shows (SDK v3 and AWS CLI v2).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateTopicCommand, GetTopicAttributesCommand, PublishCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { attempt, type Keys } from "./helpers/outcome.js";

const ACCOUNT = "000000000000";
interface Statement { Sid?: string; Effect: string; Principal: unknown; Action: unknown; Resource: string; Condition?: unknown }

describe("SNS topic policies under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  const sns = (keys: Keys = DEFAULT_CREDENTIALS) => new SNSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: keys, maxAttempts: 1 });
  const iam = () => new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  const user = async (name: string, managed?: string): Promise<Keys> => {
    await iam().send(new CreateUserCommand({ UserName: name }));
    if (managed) await iam().send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: managed }));
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
  };
  const policyOf = async (topicArn: string) => JSON.parse((await sns().send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.Policy ?? "{}") as { Id: string; Statement: Statement[] };

  it("a topic policy's Allow lets a user with no identity policy publish (and only publish); its Deny beats AdministratorAccess", async () => {
    const { TopicArn = "" } = await sns().send(new CreateTopicCommand({ Name: "guarded" }));
    const guest = await user("guest");
    const admin = await user("admin", "arn:aws:iam::aws:policy/AdministratorAccess");
    const guestArn = `arn:aws:iam::${ACCOUNT}:user/guest`;
    const publish = (keys: Keys) => attempt(() => sns(keys).send(new PublishCommand({ TopicArn, Message: "hi" })));
    assert.equal(await publish(guest), `AuthorizationErrorException: User: ${guestArn} is not authorized to perform: sns:Publish on resource: ${TopicArn} because no identity-based policy allows the sns:Publish action`);
    assert.equal(await publish(admin), "ok");

    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "guest-publishes", Effect: "Allow", Principal: { AWS: guestArn }, Action: "sns:Publish", Resource: TopicArn },
        { Sid: "admin-may-not", Effect: "Deny", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/admin` }, Action: "sns:Publish", Resource: TopicArn },
      ],
    };
    await sns().send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: JSON.stringify(policy) }));
    assert.equal(await publish(guest), "ok", "the topic policy names the user");
    const subscribe = await attempt(() => sns(guest).send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:q` })));
    assert.match(subscribe, /^AuthorizationErrorException: .* sns:Subscribe on resource: .* because no identity-based policy allows/, "publish only");
    assert.equal(await publish(admin), `AuthorizationErrorException: User: arn:aws:iam::${ACCOUNT}:user/admin is not authorized to perform: sns:Publish on resource: ${TopicArn} with an explicit deny in a resource-based policy`);
    assert.equal(await attempt(() => sns(admin).send(new GetTopicAttributesCommand({ TopicArn }))), "ok", "the deny is for Publish only");
    assert.equal(await publish(DEFAULT_CREDENTIALS), "ok", "the account root is not governed by IAM enforcement");
  });

  it("GetTopicAttributes shows SNS's default policy; AddPermission adds a labelled statement to it, RemovePermission takes it out (CLI v2)", async () => {
    const { TopicArn = "" } = await sns().send(new CreateTopicCommand({ Name: "shared" }));
    const initial = await policyOf(TopicArn);
    assert.equal(initial.Id, "__default_policy_ID");
    assert.deepEqual(initial.Statement.map((s) => s.Sid), ["__default_statement_ID"]);
    assert.deepEqual(initial.Statement[0]?.Condition, { StringEquals: { "AWS:SourceOwner": ACCOUNT } });

    const add = await aws(suite.unkai.url, ["sns", "add-permission", "--topic-arn", TopicArn, "--label", "partners", "--aws-account-id", "111122223333", "444455556666", "--action-name", "Publish", "Subscribe"]);
    assert.equal(add.code, 0, add.stderr);
    const added = await policyOf(TopicArn);
    assert.deepEqual(added.Statement.map((s) => s.Sid), ["__default_statement_ID", "partners"]);
    assert.deepEqual(added.Statement[1], {
      Sid: "partners", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"] },
      Action: ["SNS:Publish", "SNS:Subscribe"], Resource: TopicArn,
    });
    // The stored policy now holds SNS's default statement (Principal AWS "*" if AWS:SourceOwner is the
    // account): a direct call carries no AWS:SourceOwner, so it grants this account's users nothing, as on AWS.
    const nobody = await user("nobody");
    assert.match(await attempt(() => sns(nobody).send(new PublishCommand({ TopicArn, Message: "hi" }))), /^AuthorizationErrorException: User: .*user\/nobody is not authorized to perform: sns:Publish .* because no identity-based policy allows/);
    const again = await aws(suite.unkai.url, ["sns", "add-permission", "--topic-arn", TopicArn, "--label", "partners", "--aws-account-id", "111122223333", "--action-name", "Publish"]);
    assert.match(again.stderr, /\(InvalidParameter\) when calling the AddPermission operation.*: Invalid parameter: Statement already exists/);
    const bad = await aws(suite.unkai.url, ["sns", "add-permission", "--topic-arn", TopicArn, "--label", "x", "--aws-account-id", "not-an-account", "--action-name", "Publish"]);
    assert.match(bad.stderr, /\(InvalidParameter\).*Invalid parameter: AWSAccountId/);

    const remove = await aws(suite.unkai.url, ["sns", "remove-permission", "--topic-arn", TopicArn, "--label", "partners"]);
    assert.equal(remove.code, 0, remove.stderr);
    assert.deepEqual((await policyOf(TopicArn)).Statement.map((s) => s.Sid), ["__default_statement_ID"]);
    const missing = await aws(suite.unkai.url, ["sns", "remove-permission", "--topic-arn", TopicArn.replace("shared", "absent"), "--label", "partners"]);
    assert.match(missing.stderr, /\(NotFound\).*Topic does not exist/);
  });
});

/**
 * EventBridge archives and replays under `--iam enforce`, authorized as the Service Authorization Reference lists
 * them: a user allowed the archive operations on `archive/team-*` (and CreateArchive on the default bus) creates and
 * describes its archive and is refused another's on its ARN; StartReplay needs the replay's ARN and the archive it
 * reads, so a replay of another's archive is refused on that archive.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateArchiveCommand, DescribeArchiveCommand, DescribeReplayCommand, EventBridgeClient, StartReplayCommand } from "@aws-sdk/client-eventbridge";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { attempt, type Keys } from "./helpers/outcome.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const PREFIX = `arn:aws:events:${REGION}:${ACCOUNT}`;
const BUS = `${PREFIX}:event-bus/default`;
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Resource: [`${PREFIX}:archive/team-*`, BUS], Action: ["events:CreateArchive", "events:DescribeArchive"] },
    { Effect: "Allow", Resource: [`${PREFIX}:replay/team-*`, `${PREFIX}:archive/team-*`], Action: ["events:StartReplay", "events:DescribeReplay"] },
  ],
});
const implicit = (action: string, resource: string) =>
  `User: arn:aws:iam::${ACCOUNT}:user/archivist is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const refused = (sentence: string) => new RegExp(`^AccessDenied(Exception)?: ${escape(sentence)}$`);

describe("EventBridge archives and replays authorized on their ARNs under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  let root: EventBridgeClient;
  let user: EventBridgeClient;

  before(async () => {
    const config = { endpoint: suite.unkai.url, region: REGION, credentials: DEFAULT_CREDENTIALS };
    const iam = new IAMClient(config);
    await iam.send(new CreateUserCommand({ UserName: "archivist" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "archivist", PolicyName: "team-archives", PolicyDocument: POLICY }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "archivist" }));
    const keys: Keys = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
    root = new EventBridgeClient(config);
    user = new EventBridgeClient({ ...config, credentials: keys });
    await root.send(new CreateArchiveCommand({ ArchiveName: "other", EventSourceArn: BUS }));
  });

  it("archives: the team's is created and described, another's refused on its ARN", async () => {
    assert.equal(await attempt(() => user.send(new CreateArchiveCommand({ ArchiveName: "team-a", EventSourceArn: BUS }))), "ok");
    assert.equal(await attempt(() => user.send(new DescribeArchiveCommand({ ArchiveName: "team-a" }))), "ok");
    assert.match(await attempt(() => user.send(new DescribeArchiveCommand({ ArchiveName: "other" }))), refused(implicit("events:DescribeArchive", `${PREFIX}:archive/other`)));
    assert.match(await attempt(() => user.send(new CreateArchiveCommand({ ArchiveName: "mine", EventSourceArn: BUS }))), refused(implicit("events:CreateArchive", `${PREFIX}:archive/mine`)));
  });

  it("StartReplay needs the replay and the archive it reads", async () => {
    const window = { EventStartTime: new Date(Date.now() - 60_000), EventEndTime: new Date(), Destination: { Arn: BUS } };
    assert.equal(await attempt(() => user.send(new StartReplayCommand({ ReplayName: "team-r", EventSourceArn: `${PREFIX}:archive/team-a`, ...window }))), "ok");
    assert.equal(await attempt(() => user.send(new DescribeReplayCommand({ ReplayName: "team-r" }))), "ok");
    assert.match(await attempt(() => user.send(new StartReplayCommand({ ReplayName: "team-x", EventSourceArn: `${PREFIX}:archive/other`, ...window }))), refused(implicit("events:StartReplay", `${PREFIX}:archive/other`)));
    assert.match(await attempt(() => user.send(new StartReplayCommand({ ReplayName: "their-r", EventSourceArn: `${PREFIX}:archive/team-a`, ...window }))), refused(implicit("events:StartReplay", `${PREFIX}:replay/their-r`)));
  });
});

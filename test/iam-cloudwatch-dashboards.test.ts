/**
 * CloudWatch dashboards under `--iam enforce` are authorized on the dashboard's ARN, as the Service Authorization
 * Reference lists them (`arn:aws:cloudwatch::<account>:dashboard/<name>`, no Region): a user whose policy allows the
 * dashboard operations on `dashboard/team-*` puts, reads, tags and deletes its own and is refused another's
 * (SDK v3 over AWS JSON, the AWS CLI over Query); DeleteDashboards needs every dashboard it names; ListDashboards needs
 * `*`; a Deny on `aws:ResourceTag/locked` (the dashboard's tags) refuses the locked one alone.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CloudWatchClient, DeleteDashboardsCommand, GetDashboardCommand, ListDashboardsCommand, PutDashboardCommand, TagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import { awsAs, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { attempt, type Keys } from "./helpers/outcome.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const dashboardArn = (name: string) => `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${name}`;
const BODY = JSON.stringify({ widgets: [{ type: "text", x: 0, y: 0, width: 6, height: 2, properties: { markdown: "team" } }] });
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Resource: dashboardArn("team-*"), Action: ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards", "cloudwatch:TagResource"] },
    { Effect: "Deny", Resource: "*", Action: "cloudwatch:DeleteDashboards", Condition: { StringEquals: { "aws:ResourceTag/locked": "yes" } } },
  ],
});

const implicit = (action: string, resource: string) =>
  `User: arn:aws:iam::${ACCOUNT}:user/dash-team is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
const explicit = (action: string, resource: string) =>
  `User: arn:aws:iam::${ACCOUNT}:user/dash-team is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const refused = (sentence: string) => new RegExp(`^AccessDenied(Exception)?: ${escape(sentence)}$`);

describe("CloudWatch dashboards authorized on their ARN under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  let keys: Keys;
  let root: CloudWatchClient;
  let user: CloudWatchClient;
  const names = async () => ((await root.send(new ListDashboardsCommand({}))).DashboardEntries ?? []).map((d) => d.DashboardName);

  before(async () => {
    const config = { endpoint: suite.unkai.url, region: REGION, credentials: DEFAULT_CREDENTIALS };
    const iam = new IAMClient(config);
    await iam.send(new CreateUserCommand({ UserName: "dash-team" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "dash-team", PolicyName: "team-dashboards", PolicyDocument: POLICY }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "dash-team" }));
    keys = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
    root = new CloudWatchClient(config);
    user = new CloudWatchClient({ ...config, credentials: keys });
    await root.send(new PutDashboardCommand({ DashboardName: "other-1", DashboardBody: BODY }));
  });

  it("SDK v3: the team's dashboard is put and read; another's is refused on its own ARN; ListDashboards needs *", async () => {
    assert.equal(await attempt(() => user.send(new PutDashboardCommand({ DashboardName: "team-1", DashboardBody: BODY }))), "ok");
    assert.equal(await attempt(() => user.send(new GetDashboardCommand({ DashboardName: "team-1" }))), "ok");
    assert.match(await attempt(() => user.send(new PutDashboardCommand({ DashboardName: "other-1", DashboardBody: BODY }))), refused(implicit("cloudwatch:PutDashboard", dashboardArn("other-1"))));
    assert.match(await attempt(() => user.send(new GetDashboardCommand({ DashboardName: "other-1" }))), refused(implicit("cloudwatch:GetDashboard", dashboardArn("other-1"))));
    assert.match(await attempt(() => user.send(new ListDashboardsCommand({ DashboardNamePrefix: "team-" }))), refused(implicit("cloudwatch:ListDashboards", "*")));
    assert.deepEqual(await names(), ["other-1", "team-1"]);
  });

  it("DeleteDashboards needs every dashboard it names, and a locked one (aws:ResourceTag) is denied", async () => {
    await user.send(new PutDashboardCommand({ DashboardName: "team-del", DashboardBody: BODY }));
    assert.match(await attempt(() => user.send(new DeleteDashboardsCommand({ DashboardNames: ["team-del", "other-1"] }))), refused(implicit("cloudwatch:DeleteDashboards", dashboardArn("other-1"))));
    assert.deepEqual(await names(), ["other-1", "team-1", "team-del"], "nothing was deleted");
    await user.send(new TagResourceCommand({ ResourceARN: dashboardArn("team-1"), Tags: [{ Key: "locked", Value: "yes" }] }));
    assert.match(await attempt(() => user.send(new DeleteDashboardsCommand({ DashboardNames: ["team-1"] }))), refused(explicit("cloudwatch:DeleteDashboards", dashboardArn("team-1"))));
    assert.equal(await attempt(() => user.send(new DeleteDashboardsCommand({ DashboardNames: ["team-del"] }))), "ok");
    assert.deepEqual(await names(), ["other-1", "team-1"]);
  });

  it("the AWS CLI (Query): put-dashboard on the team's dashboard; another's refused with AccessDenied", async () => {
    const put = (name: string) => awsAs(suite.unkai.url, keys, ["cloudwatch", "put-dashboard", "--dashboard-name", name, "--dashboard-body", BODY]);
    const mine = await put("team-cli");
    assert.equal(mine.code, 0, mine.stderr);
    const theirs = await put("other-cli");
    assert.notEqual(theirs.code, 0);
    assert.match(theirs.stderr, /\(AccessDenied\)/);
    assert.ok(theirs.stderr.includes(implicit("cloudwatch:PutDashboard", dashboardArn("other-cli"))), theirs.stderr);
  });
});

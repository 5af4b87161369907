/**
 * The cases of test/iam-matrix.test.ts, from AWS's documented evaluation logic and examples. Each case is
 * `[principal, call, expected]`: `expected` is "ok", the service's exact AccessDenied error name, or (for a
 * sample) `Name: message` with AWS's exact sentence. Principals and calls: test/helpers/iam-matrix-world.ts.
 */
import { STANDARD_CALLS } from "./iam-matrix-world.js";

export type Case = readonly [principal: string, call: string, expected: string];

/**
 * Each service's own AccessDenied error, as its SDK v3 client names it: SQS's JSON protocol names the
 * Query code from `x-amzn-query-error` (AccessDenied), SNS's client its exception shape (AuthorizationErrorException).
 */
const DENIED: Record<string, string> = {
  s3: "AccessDenied", sqs: "AccessDenied", sns: "AuthorizationErrorException", lambda: "AccessDeniedException", dynamodb: "AccessDeniedException",
  iam: "AccessDenied", sts: "AccessDenied", logs: "AccessDeniedException", events: "AccessDeniedException",
};
export const deniedName = (call: string): string => DENIED[call.slice(0, call.indexOf(":"))] ?? "?";

/** Every standard call for one principal: "ok" for the calls listed, the service's AccessDenied for the others. */
function only(principal: string, allowed: readonly string[]): Case[] {
  for (const call of allowed) if (!(call in STANDARD_CALLS)) throw new Error(`no standard call ${call}`);
  return Object.keys(STANDARD_CALLS).map((call) => [principal, call, allowed.includes(call) ? "ok" : deniedName(call)] as const);
}
const ALL = Object.keys(STANDARD_CALLS);
const except = (...calls: string[]) => ALL.filter((call) => !calls.includes(call));
const WHOAMI = "sts:GetCallerIdentity";

export const CASES: readonly Case[] = [
  // "Policy evaluation logic" / "Determining whether a request is allowed or denied within an account":
  // the root user is allowed everything but AssumeRole (STS: "Roles may not be assumed by root accounts.");
  // a principal with no policy is implicitly denied all (GetCallerIdentity needs no permission: "No
  // permissions are required to perform this operation").
  ...only("root", except("sts:AssumeRole reader-role")),
  ...only("nobody", [WHOAMI]),
  // AdministratorAccess allows every action, but sts:AssumeRole also needs the role's trust policy to name
  // the caller ("Granting a user permissions to switch roles": both sides must allow, here the trust names another user).
  ...only("admin", except("sts:AssumeRole reader-role")),
  // Same account, "Identity-based policies with resource-based policies": a resource policy naming the user
  // allows by itself (guest has no identity policy), and an explicit Deny in a resource policy beats
  // AdministratorAccess ("An explicit deny in any of these policies overrides the allow").
  ...only("guest", ["s3:GetObject public/a.txt", "sqs:SendMessage matrix-policy-q", "sns:Publish matrix-topic", "lambda:Invoke matrix-fn (DryRun)", WHOAMI]),
  ...only("admin-denied", except("s3:PutObject shared/x.txt", "sqs:SendMessage matrix-policy-q", "sns:Publish matrix-topic", "sts:AssumeRole reader-role")),
  // "IAM policy elements: Variables and tags", example "Allow IAM users to access their own home directory in
  // Amazon S3": a group policy with ${aws:username} in the resource; groups' policies apply to members
  // ("IAM user groups"). alice reads home/alice/, bob does not.
  ...only("alice", ["s3:GetObject home/alice/a.txt", "sqs:SendMessage matrix-q", "sqs:GetQueueAttributes matrix-q", "dynamodb:GetItem", WHOAMI]),
  ...only("bob", ["sqs:SendMessage matrix-q", "sqs:GetQueueAttributes matrix-q", "dynamodb:GetItem", WHOAMI]),
  // "Policy evaluation logic": an explicit Deny in a group's policy overrides the user's own Allow (carol's
  // inline dynamodb:* and the devs group's sqs:SendMessage both lose to the guarded group's Deny).
  ...only("carol", ["sqs:GetQueueAttributes matrix-q", "dynamodb:GetItem", WHOAMI]),
  // "IAM JSON policy elements: NotAction", "Using NotAction with Deny": AdministratorAccess and a Deny of
  // everything but s3:*, iam:Get* and iam:List* leaves exactly those.
  ...only("dave", ["s3:GetObject public/a.txt", "s3:GetObject home/alice/a.txt", "s3:PutObject shared/x.txt", "s3:ListObjectsV2 matrix-other", "iam:ListUsers", "iam:GetRole reader-role", WHOAMI]),
  // "IAM JSON policy elements: NotResource": Deny s3:* NotResource [one bucket] confines s3:* to that bucket;
  // Allow sqs:* NotResource [one queue] allows every other queue.
  ...only("erin", ["s3:GetObject public/a.txt", "s3:GetObject home/alice/a.txt", "s3:PutObject shared/x.txt", "sqs:SendMessage matrix-q", "sqs:GetQueueAttributes matrix-q", WHOAMI]),
  // "NotAction with Allow" (AWS managed PowerUserAccess: NotAction iam:*, plus iam:ListRoles): every service
  // but IAM; the trust policy still refuses AssumeRole.
  ...only("power", except("iam:ListUsers", "iam:GetRole reader-role", "sts:AssumeRole reader-role")),
  // "Permissions boundaries for IAM entities": effective permissions are identity ∩ boundary (s3:*, sqs:*);
  // "Resource-based policies ... that grant permissions to an IAM user ARN ... are not limited by an implicit
  // deny in ... a permissions boundary" (the topic policy names bounded-user).
  ...only("bounded-user", [
    "s3:GetObject public/a.txt", "s3:GetObject home/alice/a.txt", "s3:PutObject shared/x.txt", "s3:ListObjectsV2 matrix-other",
    "sqs:SendMessage matrix-q", "sqs:GetQueueAttributes matrix-q", "sqs:SendMessage matrix-policy-q", "sns:Publish matrix-topic", WHOAMI,
  ]),
  // "AWS global condition context keys": aws:SecureTransport; the S3 example "Deny requests that are not
  // HTTPS" (Bool aws:SecureTransport false) refuses every S3 call over Unkai's plain HTTP.
  ...only("tls-only", ["sqs:SendMessage matrix-q", "sqs:GetQueueAttributes matrix-q", "sqs:SendMessage matrix-policy-q", WHOAMI]),
  // "How to use trust policies with IAM roles": a trust policy naming the user lets it assume the role with
  // no identity policy of its own (same account).
  ...only("assumer", ["sts:AssumeRole reader-role", WHOAMI]),
  // "Session policies": a session without one has the role's permissions; the function policy names the
  // role, so its sessions may invoke.
  ...only("reader-role/plain", ["s3:GetObject public/a.txt", "s3:GetObject home/alice/a.txt", "s3:ListObjectsV2 matrix-other", "sqs:SendMessage matrix-q", "sqs:GetQueueAttributes matrix-q", "lambda:Invoke matrix-fn (DryRun)", WHOAMI]),
  // "Session policies": the session's permissions are the intersection of the role's and the session
  // policy's; "a resource-based policy that specifies the ARN of the role ... is limited by the session policy".
  ...only("reader-role/narrow", ["s3:GetObject public/a.txt", WHOAMI]),
  // Managed session policies (PolicyArns) intersect the same way: AmazonDynamoDBFullAccess grants nothing the role lacks.
  ...only("reader-role/arns", ["sqs:SendMessage matrix-q", "sqs:GetQueueAttributes matrix-q", WHOAMI]),
  // "Permissions boundaries for IAM entities", role sessions: a bucket policy naming the role ARN is limited by
  // the role's boundary (sqs:*, sns:*); one naming the session ARN is not.
  ...only("bounded-role/anon", ["sqs:SendMessage matrix-q", "sqs:GetQueueAttributes matrix-q", "sqs:SendMessage matrix-policy-q", "sns:Publish matrix-topic", WHOAMI]),
  ...only("bounded-role/named", ["s3:PutObject shared/x.txt", "sqs:SendMessage matrix-q", "sqs:GetQueueAttributes matrix-q", "sqs:SendMessage matrix-policy-q", "sns:Publish matrix-topic", WHOAMI]),

  // "IAM JSON policy elements: Condition operators", with the cond user's statements (one operator each).
  // IP address operators: Unkai sees the loopback address.
  ["cond", "sqs:GetQueueAttributes matrix-q", "ok"],
  ["cond", "sqs:SendMessage matrix-q", "AccessDenied"],
  ["cond", "sns:Publish matrix-topic", "ok"],
  // Date condition operators on aws:CurrentTime.
  ["cond", "dynamodb:GetItem", "ok"],
  ["cond", "dynamodb:PutItem", "AccessDeniedException"],
  // String condition operators: StringLike with * and ? wildcards on s3:prefix; a missing key fails StringLike.
  ["cond", "s3:ListObjectsV2 matrix-data prefix public/", "ok"],
  ["cond", "s3:ListObjectsV2 matrix-data prefix reports/2024/", "ok"],
  ["cond", "s3:ListObjectsV2 matrix-data prefix reports/1999/", "AccessDenied"],
  ["cond", "s3:ListObjectsV2 matrix-data", "AccessDenied"],
  // Numeric condition operators on s3:max-keys (the S3 example "Limit the maximum number of keys").
  ["cond", "s3:ListObjectsV2 matrix-other MaxKeys 5", "ok"],
  ["cond", "s3:ListObjectsV2 matrix-other MaxKeys 50", "AccessDenied"],
  ["cond", "s3:ListObjectsV2 matrix-other", "AccessDenied"],
  // "Condition operator to check existence of condition keys" (Null): an untagged object passes, a tagged one does not.
  ["cond", "s3:GetObject public/a.txt", "ok"],
  ["cond", "s3:GetObject tagged.txt (secret tag)", "AccessDenied"],
  ["cond", "sqs:TagQueue team", "ok"],
  ["cond", "sqs:TagQueue env", "AccessDenied"],
  // "Multivalued context keys": ForAllValues (every request tag key in the set), ForAnyValue (at least one).
  ["cond", "sns:TagResource team", "ok"],
  ["cond", "sns:TagResource team,env", "ok"],
  ["cond", "sns:TagResource team,owner", "AuthorizationErrorException"],
  ["cond", "dynamodb:TagResource cost-center,x", "ok"],
  ["cond", "dynamodb:TagResource x", "AccessDeniedException"],
  // String operators on aws:username: IgnoreCase, case-sensitive equality, negated operators.
  ["cond", "logs:DescribeLogGroups", "ok"],
  ["cond", "events:PutEvents default", "AccessDeniedException"],
  ["cond", "iam:ListUsers", "AccessDenied"],
  ["cond", "iam:GetRole reader-role", "ok"],
  // ARN condition operators on aws:PrincipalArn.
  ["cond", "lambda:Invoke matrix-fn (DryRun)", "ok"],
  ["cond", "lambda:Invoke matrix-fn (RequestResponse)", "ok"],
  // Policy variables in a group's ListBucket condition and object resource (home directory example).
  ["alice", "s3:ListObjectsV2 matrix-data prefix home/alice/", "ok"],
  ["alice", "s3:ListObjectsV2 matrix-data prefix home/bob/", "AccessDenied"],
  ["alice", "s3:PutObject home/alice/b.txt", "ok"],
  ["alice", "s3:PutObject home/bob/b.txt", "AccessDenied"],
  ["bob", "s3:ListObjectsV2 matrix-data prefix home/bob/", "ok"],
  ["bob", "s3:PutObject home/bob/b.txt", "ok"],
  ["bob", "s3:PutObject home/alice/b.txt", "AccessDenied"],
  // "Policy evaluation logic", same account: a resource policy with Principal "*" allows any principal of the
  // account by itself; one naming only the account (`…:root`) delegates to the caller's identity policies.
  ["nobody", "sqs:GetQueueAttributes matrix-policy-q", "ok"],
  ["guest", "sqs:GetQueueAttributes matrix-policy-q", "ok"],
  ["alice", "sqs:GetQueueAttributes matrix-policy-q", "ok"],
  ["bounded-role/anon", "sqs:GetQueueAttributes matrix-policy-q", "ok"],
  ["nobody", "sns:GetTopicAttributes matrix-topic", "AuthorizationErrorException"],
  ["alice", "sns:GetTopicAttributes matrix-topic", "AuthorizationErrorException"],
  ["admin", "sns:GetTopicAttributes matrix-topic", "ok"],
  ["power", "sns:GetTopicAttributes matrix-topic", "ok"],
  ["bounded-user", "sns:GetTopicAttributes matrix-topic", "AuthorizationErrorException"],
  // "IAM JSON policy elements: NotPrincipal", "Using NotPrincipal with Deny": everyone but the listed user
  // (and the account) is denied, whatever their identity policies allow.
  ["admin", "s3:GetObject matrix-other/np/a.txt", "ok"],
  ["root", "s3:GetObject matrix-other/np/a.txt", "ok"],
  ["power", "s3:GetObject matrix-other/np/a.txt", "AccessDenied"],
  ["dave", "s3:GetObject matrix-other/np/a.txt", "AccessDenied"],
  ["admin-denied", "s3:GetObject matrix-other/np/a.txt", "AccessDenied"],
  ["reader-role/plain", "s3:GetObject matrix-other/np/a.txt", "AccessDenied"],
  // Same page: NotPrincipal with Deny "will always deny any IAM principal that has a permissions boundary
  // policy attached, regardless of the values specified" (bounded-user is listed, its boundary allows s3:*).
  ["bounded-user", "s3:GetObject matrix-other/np/a.txt", "AccessDenied"],
  // "IAM policy elements: Variables and tags": aws:PrincipalTag, a variable's default value ("${key, 'default'}")
  // used when the tag is missing; "…IfExists" passes a missing key; "Multivalued context keys": ForAllValues
  // is true and ForAnyValue false when the request has no tags at all.
  ["tagged", "dynamodb:GetItem", "ok"],
  ["untagged", "dynamodb:GetItem", "AccessDeniedException"],
  ["tagged", "dynamodb:PutItem", "AccessDeniedException"],
  ["untagged", "dynamodb:PutItem", "ok"],
  ["tagged", "sqs:GetQueueAttributes matrix-q", "ok"],
  ["untagged", "sqs:GetQueueAttributes matrix-q", "ok"],
  ["tagged", "logs:DescribeLogGroups", "ok"],
  ["untagged", "logs:DescribeLogGroups", "ok"],
  ["tagged", "events:PutEvents default", "AccessDeniedException"],
  ["untagged", "events:PutEvents default", "AccessDeniedException"],
  // A function policy naming a user: a real invocation, not only a DryRun.
  ["guest", "lambda:Invoke matrix-fn (RequestResponse)", "ok"],
  ["nobody", "lambda:Invoke matrix-fn (RequestResponse)", "AccessDeniedException"],
];

const U = "arn:aws:iam::000000000000:user";
const S = "arn:aws:sts::000000000000:assumed-role";
/** A sample of denials with AWS's exact sentence ("Access denied error messages": "User: <arn> is not authorized to perform: <action> on resource: <arn> because ..."). */
export const MESSAGES: ReadonlyMap<string, string> = new Map([
  ["root sts:AssumeRole reader-role", "AccessDenied: Roles may not be assumed by root accounts."],
  ["nobody sqs:SendMessage matrix-q", `AccessDenied: User: ${U}/nobody is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:matrix-q because no identity-based policy allows the sqs:SendMessage action`],
  ["carol dynamodb:PutItem", `AccessDeniedException: User: ${U}/carol is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/matrix-table with an explicit deny in an identity-based policy`],
  ["admin-denied s3:PutObject shared/x.txt", `AccessDenied: User: ${U}/admin-denied is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::matrix-data/shared/x.txt with an explicit deny in a resource-based policy`],
  ["bounded-user dynamodb:GetItem", `AccessDeniedException: User: ${U}/bounded-user is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/matrix-table because no permissions boundary allows the dynamodb:GetItem action`],
  ["reader-role/narrow sqs:SendMessage matrix-q", `AccessDenied: User: ${S}/reader-role/narrow is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:matrix-q because no session policy allows the sqs:SendMessage action`],
  ["bounded-role/anon s3:PutObject shared/x.txt", `AccessDenied: User: ${S}/bounded-role/anon is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::matrix-data/shared/x.txt because no permissions boundary allows the s3:PutObject action`],
  ["dave sqs:GetQueueAttributes matrix-q", `AccessDenied: User: ${U}/dave is not authorized to perform: sqs:GetQueueAttributes on resource: arn:aws:sqs:us-east-1:000000000000:matrix-q with an explicit deny in an identity-based policy`],
  ["admin-denied s3:GetObject matrix-other/np/a.txt", `AccessDenied: User: ${U}/admin-denied is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::matrix-other/np/a.txt with an explicit deny in a resource-based policy`],
  ["admin-denied sns:Publish matrix-topic", `AuthorizationErrorException: User: ${U}/admin-denied is not authorized to perform: sns:Publish on resource: arn:aws:sns:us-east-1:000000000000:matrix-topic with an explicit deny in a resource-based policy`],
  ["power iam:ListUsers", `AccessDenied: User: ${U}/power is not authorized to perform: iam:ListUsers on resource: * because no identity-based policy allows the iam:ListUsers action`],
]);

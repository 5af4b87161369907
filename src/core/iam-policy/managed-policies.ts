/**
 * AWS managed policies Unkai seeds, with their real documents (default versions as AWS publishes
 * them: AWS Managed Policy Reference Guide, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html,
 * cross-checked against the zoph-io/MAMIP archive of every managed policy version). Documents are AWS's
 * published data, not code; `versionId` is the default version recorded here, so a later AWS edit
 * shows up as a deliberate change to this table.
 *
 * Not here yet: ReadOnlyAccess (≈70 KB covering every AWS service) and the retired AWSLambdaFullAccess,
 * whose successor is AWSLambda_FullAccess.
 */

export interface ManagedPolicy {
  readonly name: string;
  /** IAM path: `/` or `/service-role/`. */
  readonly path: string;
  readonly versionId: string;
  readonly description: string;
  readonly document: { readonly Version: "2012-10-17"; readonly Statement: readonly Record<string, unknown>[] };
}

const LOG_WRITES = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"];
const allowAll = (Action: string | readonly string[]) => ({ Effect: "Allow", Action, Resource: "*" });
const doc = (...Statement: Record<string, unknown>[]) => ({ Version: "2012-10-17", Statement }) as const;

export const MANAGED_POLICIES: readonly ManagedPolicy[] = [
  { name: "AdministratorAccess", path: "/", versionId: "v1", description: "Provides full access to AWS services and resources.", document: doc(allowAll("*")) },
  {
    name: "PowerUserAccess", path: "/", versionId: "v12",
    description: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
    document: doc(
      { NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*", Effect: "Allow" },
      {
        Action: [
          "account:GetAccountInformation", "account:GetGovCloudAccountInformation", "account:GetPrimaryEmail", "account:ListRegions",
          "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
          "organizations:DescribeEffectivePolicy", "organizations:DescribeOrganization",
        ],
        Resource: "*", Effect: "Allow",
      },
    ),
  },
  {
    name: "AWSLambda_FullAccess", path: "/", versionId: "v5",
    description: "Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.",
    document: doc(
      {
        Action: [
          "cloudformation:DescribeStacks", "cloudformation:ListStackResources", "cloudwatch:ListMetrics", "cloudwatch:GetMetricData",
          "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "kms:DescribeKey", "kms:ListAliases",
          "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
          "iam:ListRolePolicies", "iam:ListRoles", "lambda:*", "logs:DescribeLogGroups", "states:DescribeStateMachine",
          "states:ListStateMachines", "tag:GetResources", "xray:GetTraceSummaries", "xray:BatchGetTraces",
        ],
        Resource: "*", Effect: "Allow",
      },
      { Action: "iam:PassRole", Resource: "*", Effect: "Allow", Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } },
      {
        Action: ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartLiveTail", "logs:StopLiveTail"],
        Resource: "arn:aws:logs:*:*:log-group:/aws/lambda/*", Effect: "Allow",
      },
      {
        Action: "iam:CreateServiceLinkedRole",
        Resource: "arn:aws:iam::*:role/aws-service-role/lambda.amazonaws.com/AWSServiceRoleForLambda",
        Effect: "Allow", Condition: { StringEquals: { "iam:AWSServiceName": "lambda.amazonaws.com" } },
      },
    ),
  },
  {
    name: "AWSLambda_ReadOnlyAccess", path: "/", versionId: "v2",
    description: "Grants read-only access to AWS Lambda service, AWS Lambda console features, and other related AWS services.",
    document: doc(
      allowAll([
        "cloudformation:DescribeStacks", "cloudformation:ListStacks", "cloudformation:ListStackResources", "cloudwatch:GetMetricData",
        "cloudwatch:ListMetrics", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "kms:ListAliases",
        "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
        "iam:ListRolePolicies", "iam:ListRoles", "logs:DescribeLogGroups", "lambda:Get*", "lambda:List*",
        "states:DescribeStateMachine", "states:ListStateMachines", "tag:GetResources", "xray:GetTraceSummaries", "xray:BatchGetTraces",
      ]),
      {
        Effect: "Allow",
        Action: [
          "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:StopQuery",
          "logs:DescribeQueries", "logs:GetLogGroupFields", "logs:GetLogRecord", "logs:GetQueryResults",
        ],
        Resource: "arn:aws:logs:*:*:log-group:/aws/lambda/*",
      },
    ),
  },
  { name: "AWSLambdaBasicExecutionRole", path: "/service-role/", versionId: "v1", description: "Provides write permissions to CloudWatch Logs.", document: doc(allowAll(LOG_WRITES)) },
  { name: "AWSLambdaRole", path: "/service-role/", versionId: "v1", description: "Default policy for AWS Lambda service role.", document: doc({ Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: ["*"] }) },
  {
    name: "AWSLambdaSQSQueueExecutionRole", path: "/service-role/", versionId: "v1",
    description: "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.",
    document: doc(allowAll(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", ...LOG_WRITES])),
  },
  {
    name: "AWSLambdaDynamoDBExecutionRole", path: "/service-role/", versionId: "v1",
    description: "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.",
    document: doc(allowAll(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", ...LOG_WRITES])),
  },
  {
    name: "AWSLambdaKinesisExecutionRole", path: "/service-role/", versionId: "v2",
    description: "Provides list and read access to Kinesis streams and write permissions to CloudWatch logs.",
    document: doc(allowAll([
      "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator",
      "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard", ...LOG_WRITES,
    ])),
  },
  { name: "AmazonS3FullAccess", path: "/", versionId: "v2", description: "Provides full access to all buckets via the AWS Management Console.", document: doc(allowAll(["s3:*", "s3-object-lambda:*"])) },
  {
    name: "AmazonS3ReadOnlyAccess", path: "/", versionId: "v3", description: "Provides read only access to all buckets via the AWS Management Console.",
    document: doc(allowAll(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"])),
  },
  { name: "AmazonSQSFullAccess", path: "/", versionId: "v1", description: "Provides full access to Amazon SQS via the AWS Management Console.", document: doc({ Action: ["sqs:*"], Effect: "Allow", Resource: "*" }) },
  { name: "AmazonSNSFullAccess", path: "/", versionId: "v1", description: "Provides full access to Amazon SNS via the AWS Management Console.", document: doc({ Action: ["sns:*"], Effect: "Allow", Resource: "*" }) },
  {
    name: "AmazonDynamoDBFullAccess", path: "/", versionId: "v15", description: "Provides full access to Amazon DynamoDB via the AWS Management Console.",
    document: doc(
      {
        Action: [
          "dynamodb:*", "dax:*", "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
          "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
          "application-autoscaling:DescribeScalingPolicies", "application-autoscaling:PutScalingPolicy",
          "application-autoscaling:RegisterScalableTarget", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarmHistory",
          "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
          "cloudwatch:PutMetricAlarm", "cloudwatch:GetMetricData", "datapipeline:ActivatePipeline", "datapipeline:CreatePipeline",
          "datapipeline:DeletePipeline", "datapipeline:DescribeObjects", "datapipeline:DescribePipelines",
          "datapipeline:GetPipelineDefinition", "datapipeline:ListPipelines", "datapipeline:PutPipelineDefinition",
          "datapipeline:QueryObjects", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "iam:GetRole",
          "iam:ListRoles", "kms:DescribeKey", "kms:ListAliases", "sns:CreateTopic", "sns:DeleteTopic", "sns:ListSubscriptions",
          "sns:ListSubscriptionsByTopic", "sns:ListTopics", "sns:Subscribe", "sns:Unsubscribe", "sns:SetTopicAttributes",
          "lambda:CreateFunction", "lambda:ListFunctions", "lambda:ListEventSourceMappings", "lambda:CreateEventSourceMapping",
          "lambda:DeleteEventSourceMapping", "lambda:GetFunctionConfiguration", "lambda:DeleteFunction", "resource-groups:ListGroups",
          "resource-groups:ListGroupResources", "resource-groups:GetGroup", "resource-groups:GetGroupQuery",
          "resource-groups:DeleteGroup", "resource-groups:CreateGroup", "tag:GetResources", "kinesis:ListStreams",
          "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
        ],
        Effect: "Allow", Resource: "*",
      },
      { Action: "cloudwatch:GetInsightRuleReport", Effect: "Allow", Resource: "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*" },
      {
        Action: ["iam:PassRole"], Effect: "Allow", Resource: "*",
        Condition: { StringLike: { "iam:PassedToService": ["application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn", "dax.amazonaws.com"] } },
      },
      {
        Effect: "Allow", Action: ["iam:CreateServiceLinkedRole"], Resource: "*",
        Condition: {
          StringEquals: {
            "iam:AWSServiceName": [
              "replication.dynamodb.amazonaws.com", "dax.amazonaws.com", "dynamodb.application-autoscaling.amazonaws.com",
              "contributorinsights.dynamodb.amazonaws.com", "kinesisreplication.dynamodb.amazonaws.com",
            ],
          },
        },
      },
    ),
  },
  {
    name: "CloudWatchLogsFullAccess", path: "/", versionId: "v3", description: "Provides full access to CloudWatch Logs",
    document: doc({ Action: ["logs:*", "cloudwatch:GenerateQuery", "cloudwatch:GenerateQueryResultsSummary"], Resource: "*", Effect: "Allow", Sid: "CloudWatchLogsFullAccess" }),
  },
];

/** `arn:aws:iam::aws:policy<path><name>`, as AWS names its managed policies. */
export const managedPolicyArn = (policy: ManagedPolicy) => `arn:aws:iam::aws:policy${policy.path}${policy.name}`;

/** A managed policy by name or ARN. */
export function findManagedPolicy(nameOrArn: string): ManagedPolicy | undefined {
  return MANAGED_POLICIES.find((p) => p.name === nameOrArn || managedPolicyArn(p) === nameOrArn);
}

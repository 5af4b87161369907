/**
 * Every service module, in claiming order: the HTTP adapter hands a request to the first service whose
 * `matches` claims it, so a module that claims by something more specific (a Host, a signing scope)
 * stands before one that claims by a broad path. Adding a service is one folder and one line here
 * (CONTRIBUTING.md, "Add an AWS service"). test/service-registry.test.ts checks every entry has an
 * error table documented in docs/errors.md and a compatibility page.
 */
import { apiGatewayModule } from "./apigateway/index.js";
import { apiGatewayV2Module } from "./apigatewayv2/index.js";
import { cloudWatchModule } from "./cloudwatch/index.js";
import { consoleModule } from "./console/index.js";
import { dynamodbModule, dynamodbStreamsModule } from "./dynamodb/index.js";
import { servedApisModule } from "./served-apis/index.js";
import { iamModule } from "./iam/index.js";
import { kinesisModule } from "./kinesis/index.js";
import { lambdaModule } from "./lambda/index.js";
import { eventsModule } from "./events/index.js";
import { logsModule } from "./logs/index.js";
import type { ServiceModule } from "./module.js";
import { s3Module } from "./s3/index.js";
import { schedulerModule } from "./scheduler/index.js";
import { snsModule } from "./sns/index.js";
import { sqsModule } from "./sqs/index.js";
import { stsModule } from "./sts/index.js";
import { unkaiModule } from "./unkai/index.js";

export const SERVICE_MODULES: readonly ServiceModule[] = [
  // Host `<id>.execute-api.localhost` / `<id>.lambda-url.<region>.localhost`, or path /_aws/execute-api/, /_aws/lambda-url/:
  // first, because a served API's address carries any path, including ones that look like another service's.
  servedApisModule,
  // Paths /v2/apis… and /v2/tags/…
  apiGatewayV2Module,
  // Path /restapis…, and /tags/<ARN> signed for apigateway (an S3 bucket named `tags` is signed for s3: S3's, below)
  apiGatewayModule,
  // Signing scope `s3`, a virtual-hosted bucket Host, or a presigned URL whose signature cannot be read:
  // before the path-claimed services, as a bucket may be named like their paths.
  s3Module,
  // Signing scope `scheduler`, or the paths /schedules… and /schedule-groups… (an unsigned request is refused in
  // Scheduler's words; no other service has these paths).
  schedulerModule,
  // Path /_unkai/…
  unkaiModule,
  // Paths /20YY-MM-DD/… that Lambda's router knows.
  lambdaModule,
  // POST with X-Amz-Target Logs_20140328.*
  logsModule,
  // POST with X-Amz-Target AWSEvents.*
  eventsModule,
  // POST with X-Amz-Target DynamoDB_20120810.*
  dynamodbModule,
  // POST with X-Amz-Target DynamoDBStreams_20120810.*
  dynamodbStreamsModule,
  // POST with X-Amz-Target Kinesis_20131202.* (over HTTP/1.1 or h2c)
  kinesisModule,
  // Signing scope `sts`, or a query `Action=` naming an STS operation (so an unsigned one is refused in STS's XML).
  stsModule,
  // Signing scope `sqs`, POST with X-Amz-Target AmazonSQS.*, or a query `Action=` naming an SQS operation
  // (queue URLs are /<account>/<queue>, a path no service above claims).
  sqsModule,
  // Signing scope `sns`, a query `Action=` naming an SNS operation (SubscribeURL, UnsubscribeURL), or
  // GET /_aws/sns/<certificate>.pem (SigningCertURL).
  snsModule,
  // Signing scope `iam`, or a query `Action=` naming an IAM operation.
  iamModule,
  // Signing scope `monitoring`, POST with X-Amz-Target GraniteServiceVersion20100801.*, the RPC v2 CBOR path
  // /service/GraniteServiceVersion20100801/…, or a query `Action=` naming a CloudWatch operation.
  cloudWatchModule,
  // Unsigned GET/HEAD of / and /console/…: last, the browser's catch-all.
  consoleModule,
];

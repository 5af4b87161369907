/** Test event templates in the shapes AWS services send (as in Lambda's console). */

const now = "2026-01-01T12:00:00.000Z";
const account = "000000000000";

export const EVENT_TEMPLATES = {
  hello: { title: "Hello world", event: { key1: "value1", key2: "value2", key3: "value3" } },
  "s3-put": {
    title: "Amazon S3 Put",
    event: {
      Records: [{
        eventVersion: "2.1", eventSource: "aws:s3", awsRegion: "us-east-1", eventTime: now, eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "EXAMPLE" }, requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: { "x-amz-request-id": "EXAMPLE123456789", "x-amz-id-2": "EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH" },
        s3: {
          s3SchemaVersion: "1.0", configurationId: "testConfigRule",
          bucket: { name: "example-bucket", ownerIdentity: { principalId: "EXAMPLE" }, arn: "arn:aws:s3:::example-bucket" },
          object: { key: "test%2Fkey", size: 1024, eTag: "0123456789abcdef0123456789abcdef", sequencer: "0A1B2C3D4E5F678901" },
        },
      }],
    },
  },
  "apigw-v2": {
    title: "API Gateway HTTP API (payload 2.0)",
    event: {
      version: "2.0", routeKey: "GET /hello", rawPath: "/hello", rawQueryString: "name=unkai", cookies: ["session=abc"],
      headers: { accept: "application/json", host: "api.example.com", "user-agent": "curl/8.0" },
      queryStringParameters: { name: "unkai" },
      requestContext: {
        accountId: account, apiId: "api-id", domainName: "api.example.com", domainPrefix: "api",
        http: { method: "GET", path: "/hello", protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "curl/8.0" },
        requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", routeKey: "GET /hello", stage: "$default", time: "01/Jan/2026:12:00:00 +0000", timeEpoch: 1767268800000,
      },
      isBase64Encoded: false,
    },
  },
  "apigw-v1": {
    title: "API Gateway REST API (proxy, payload 1.0)",
    event: {
      resource: "/{proxy+}", path: "/hello", httpMethod: "GET",
      headers: { Accept: "application/json", Host: "api.example.com" }, multiValueHeaders: { Accept: ["application/json"], Host: ["api.example.com"] },
      queryStringParameters: { name: "unkai" }, multiValueQueryStringParameters: { name: ["unkai"] },
      pathParameters: { proxy: "hello" }, stageVariables: null,
      requestContext: {
        accountId: account, resourceId: "123456", stage: "prod", requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        identity: { sourceIp: "192.0.2.1", userAgent: "curl/8.0" }, resourcePath: "/{proxy+}", httpMethod: "GET", apiId: "1234567890", protocol: "HTTP/1.1",
      },
      body: null, isBase64Encoded: false,
    },
  },
  sqs: {
    title: "Amazon SQS",
    event: {
      Records: [{
        messageId: "19dd0b57-b21e-4ac1-bd88-01bbb068cb78", receiptHandle: "MessageReceiptHandle", body: "Hello from SQS!",
        attributes: { ApproximateReceiveCount: "1", SentTimestamp: "1767268800000", SenderId: account, ApproximateFirstReceiveTimestamp: "1767268800001" },
        messageAttributes: {}, md5OfBody: "7b270e59b47ff90a553787216d55d91d", eventSource: "aws:sqs",
        eventSourceARN: `arn:aws:sqs:us-east-1:${account}:MyQueue`, awsRegion: "us-east-1",
      }],
    },
  },
  sns: {
    title: "Amazon SNS",
    event: {
      Records: [{
        EventVersion: "1.0", EventSource: "aws:sns", EventSubscriptionArn: `arn:aws:sns:us-east-1:${account}:ExampleTopic:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
        Sns: {
          Type: "Notification", MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e", TopicArn: `arn:aws:sns:us-east-1:${account}:ExampleTopic`,
          Subject: "example subject", Message: "example message", Timestamp: now, SignatureVersion: "1", Signature: "EXAMPLE",
          SigningCertUrl: "EXAMPLE", UnsubscribeUrl: "EXAMPLE", MessageAttributes: { Test: { Type: "String", Value: "TestString" } },
        },
      }],
    },
  },
  "eventbridge-scheduled": {
    title: "EventBridge scheduled event",
    event: {
      version: "0", id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event", source: "aws.events", account,
      time: now, region: "us-east-1", resources: [`arn:aws:events:us-east-1:${account}:rule/my-schedule`], detail: {},
    },
  },
  "dynamodb-stream": {
    title: "DynamoDB stream",
    event: {
      Records: [{
        eventID: "c4ca4238a0b923820dcc509a6f75849b", eventName: "INSERT", eventVersion: "1.1", eventSource: "aws:dynamodb", awsRegion: "us-east-1",
        dynamodb: {
          ApproximateCreationDateTime: 1767268800, Keys: { Id: { N: "101" } }, NewImage: { Message: { S: "New item!" }, Id: { N: "101" } },
          SequenceNumber: "4421584500000000017450439091", SizeBytes: 26, StreamViewType: "NEW_AND_OLD_IMAGES",
        },
        eventSourceARN: `arn:aws:dynamodb:us-east-1:${account}:table/ExampleTable/stream/2026-01-01T00:00:00.000`,
      }],
    },
  },
};

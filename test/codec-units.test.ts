/**
 * The protocol codecs' pure functions (src/protocol/codecs/), called directly with AWS's own models:
 * awsQuery flattening both ways, awsQueryCompatible error headers, rpcv2Cbor decoding and encoding,
 * malformed bodies and AWS's validation messages. test/protocol-codecs.test.ts drives the same codecs
 * through real clients.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cbor, dateToTag } from "@smithy/core/cbor";
import pino from "pino";
import { COMMON_ERRORS, QUERY_COMMON_ERRORS } from "../src/core/errors.js";
import { InvalidInput, MalformedInput } from "../src/protocol/codecs/input-errors.js";
import { loadModel, protocolsOf } from "../src/protocol/codecs/model.js";
import { modelService, queryParameterError } from "../src/protocol/codecs/model-service.js";
import { decodeQuery, QueryParameters, queryResponseXml } from "../src/protocol/codecs/query.js";
import { errorResponse, outputResponse } from "../src/protocol/codecs/render.js";
import { decodeRpcInput } from "../src/protocol/codecs/requests.js";
import { validate } from "../src/protocol/codecs/validate.js";

const sqs = loadModel("sqs");
const iam = loadModel("iam");
const sns = loadModel("sns");
const dynamodb = loadModel("dynamodb");
const monitoring = loadModel("monitoring");
const op = (model: ReturnType<typeof loadModel>, name: string) => model.operations[name] ?? assert.fail(`no operation ${name}`);
const params = (text: string) => new QueryParameters(new URLSearchParams(text));
const messageOf = (model: ReturnType<typeof loadModel>, operation: string, input: Record<string, unknown>) =>
  new InvalidInput(validate(model, op(model, operation).input, input)).message;

describe("model loading", () => {
  it("reads every protocol a service speaks, SQS's query traits and awsQueryError codes included", () => {
    assert.deepEqual(protocolsOf(sqs), ["awsJson1_0", "awsQuery"]);
    assert.deepEqual(protocolsOf(monitoring), ["rpcv2Cbor", "awsJson1_0", "awsQuery"]);
    assert.deepEqual(protocolsOf(loadModel("logs")), ["awsJson1_1"]);
    assert.deepEqual(protocolsOf(loadModel("sts")), ["awsQuery"]);
    assert.equal(sqs.metadata.xmlNamespace, "http://queue.amazonaws.com/doc/2012-11-05/");
    assert.equal(sqs.shapes.QueueDoesNotExist?.error?.code, "AWS.SimpleQueueService.NonExistentQueue");
    assert.equal(op(sqs, "SendMessage").output?.resultWrapper, "SendMessageResult");
  });
});

describe("awsQuery", () => {
  it("decodes flattened maps and lists by their locationName (SQS Attribute.N.Name, Tag.N.Key, batch entries)", () => {
    assert.deepEqual(decodeQuery(sqs, op(sqs, "CreateQueue"), params("Action=CreateQueue&QueueName=q1&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Attribute.2.Name=FifoQueue&Attribute.2.Value=true&Tag.1.Key=team&Tag.1.Value=a")), {
      QueueName: "q1", Attributes: { DelaySeconds: "5", FifoQueue: "true" }, tags: { team: "a" },
    });
    const batch = "QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.1.DelaySeconds=3" +
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=n&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String" +
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=y";
    assert.deepEqual(decodeQuery(sqs, op(sqs, "SendMessageBatch"), params(batch)), {
      QueueUrl: "u",
      Entries: [{ Id: "a", MessageBody: "x", DelaySeconds: 3, MessageAttributes: { n: { DataType: "String", StringValue: "v" } } }, { Id: "b", MessageBody: "y" }],
    });
    assert.deepEqual(decodeQuery(sqs, op(sqs, "ReceiveMessage"), params("QueueUrl=u&AttributeName.1=All&MessageAttributeName.1=x")), { QueueUrl: "u", AttributeNames: ["All"], MessageAttributeNames: ["x"] });
  });

  it("decodes member lists and entry maps (IAM Tags.member.N, SNS Attributes.entry.N), empty lists, and refuses a wrong type", () => {
    assert.deepEqual(decodeQuery(iam, op(iam, "CreateUser"), params("UserName=u&Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.2.Key=k2&Tags.member.2.Value=v2")), {
      UserName: "u", Tags: [{ Key: "k", Value: "v" }, { Key: "k2", Value: "v2" }],
    });
    assert.deepEqual(decodeQuery(sns, op(sns, "CreateTopic"), params("Name=t&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Hi")), { Name: "t", Attributes: { DisplayName: "Hi" } });
    assert.deepEqual(decodeQuery(iam, op(iam, "CreateUser"), params("UserName=u&Tags=")), { UserName: "u", Tags: [] });
    assert.throws(() => decodeQuery(sqs, op(sqs, "ReceiveMessage"), params("QueueUrl=u&MaxNumberOfMessages=ten")), (error: Error) =>
      error instanceof MalformedInput && error.message === "Value 'ten' for parameter MaxNumberOfMessages is invalid: it must be an integer.");
  });

  it("keeps map entries named __proto__ and constructor as entries (SNS message attributes), never the map's prototype", () => {
    const attribute = (n: number, name: string, value: string) =>
      `&MessageAttributes.entry.${n}.Name=${name}&MessageAttributes.entry.${n}.Value.DataType=String&MessageAttributes.entry.${n}.Value.StringValue=${value}`;
    const input = decodeQuery(sns, op(sns, "Publish"), params(`TopicArn=t&Message=m${attribute(1, "__proto__", "p")}${attribute(2, "constructor", "c")}`));
    const attributes = input.MessageAttributes as Record<string, unknown>;
    assert.deepEqual(Object.keys(attributes), ["__proto__", "constructor"]);
    assert.equal(Object.getPrototypeOf(attributes), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(attributes, "__proto__")?.value, { DataType: "String", StringValue: "p" });
    assert.deepEqual(attributes.constructor, { DataType: "String", StringValue: "c" });
  });

  it("encodes results with flattened and member lists, maps, timestamps and escaping", () => {
    const received = queryResponseXml(sqs, op(sqs, "ReceiveMessage"), { Messages: [{ MessageId: "m1", Body: "<a & b>", Attributes: { SentTimestamp: "1" } }] }, "r1");
    assert.equal(received, '<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult><Message><MessageId>m1</MessageId>' +
      "<Body>&lt;a &amp; b&gt;</Body><Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute></Message></ReceiveMessageResult>" +
      "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></ReceiveMessageResponse>");
    const users = queryResponseXml(iam, op(iam, "ListUsers"), { Users: [{ UserName: "u", Path: "/", UserId: "AIDA", Arn: "arn", CreateDate: new Date(0) }], IsTruncated: false }, "r2");
    assert.match(users, /<ListUsersResult><Users><member><UserName>u<\/UserName><Path>\/<\/Path><UserId>AIDA<\/UserId><Arn>arn<\/Arn><CreateDate>1970-01-01T00:00:00.000Z<\/CreateDate><\/member><\/Users><IsTruncated>false<\/IsTruncated><\/ListUsersResult>/);
    assert.equal(queryResponseXml(sqs, op(sqs, "DeleteQueue"), undefined, "r3"), '<DeleteQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata></DeleteQueueResponse>');
  });
});

describe("errors in the protocol spoken", () => {
  const spec = { status: 400, messageKey: "message", userType: false } as const;

  it("awsQueryCompatible JSON errors carry x-amzn-query-error with the model's awsQueryError code; Query XML uses that code", () => {
    const json = errorResponse("awsJson1_0", sqs, { code: "QueueDoesNotExist", message: "gone", spec }, "r");
    assert.equal(json.headers?.["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender");
    assert.deepEqual(JSON.parse(json.body as string), { __type: "QueueDoesNotExist", message: "gone" });
    const own = errorResponse("awsJson1_0", sqs, { code: "ServiceException", message: "x", spec: { ...spec, status: 500 } }, "r");
    assert.equal(own.headers?.["x-amzn-query-error"], "ServiceException;Receiver");
    const xml = errorResponse("awsQuery", sqs, { code: "QueueDoesNotExist", message: "gone", spec }, "r9");
    assert.equal(xml.body, '<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>gone</Message></Error><RequestId>r9</RequestId></ErrorResponse>');
    assert.equal(errorResponse("awsJson1_1", loadModel("logs"), { code: "ResourceNotFoundException", message: "m", spec }, "r").headers?.["x-amzn-query-error"], undefined);
  });

  it("modelService refuses to start with a table that lacks a code the codec answers with", () => {
    const logger = pino({ level: "silent" });
    assert.throws(() => modelService({ name: "sqs", model: sqs, errors: COMMON_ERRORS, operations: {}, signingNames: ["sqs"], logger }), /lacks ValidationException, SerializationException, MissingAction/);
    const table = { ...COMMON_ERRORS, ...QUERY_COMMON_ERRORS, ValidationException: COMMON_ERRORS.ServiceException, SerializationException: COMMON_ERRORS.ServiceException };
    assert.equal(modelService({ name: "sqs", model: sqs, errors: table, operations: {}, signingNames: ["sqs"], logger }).name, "sqs");
  });
});

describe("rpcv2Cbor", () => {
  const putMetricData = op(monitoring, "PutMetricData");

  it("decodes CBOR maps with tag-1 timestamps and floats, and encodes outputs with tag 1", () => {
    const body = Buffer.from(cbor.serialize({ Namespace: "App", MetricData: [{ MetricName: "Hits", Value: 1.5, Timestamp: dateToTag(new Date(1_700_000_000_500)), Unit: "Count" }] }));
    const input = decodeRpcInput(monitoring, "rpcv2Cbor", putMetricData, body) as { MetricData: { Timestamp: Date; Value: number }[] };
    assert.deepEqual(input.MetricData[0]?.Timestamp, new Date(1_700_000_000_500));
    assert.equal(input.MetricData[0]?.Value, 1.5);
    const response = outputResponse("rpcv2Cbor", monitoring, op(monitoring, "GetMetricData"), { MetricDataResults: [{ Id: "a", Timestamps: [new Date(1_700_000_000_000)], Values: [2] }] }, "r");
    assert.equal(response.headers?.["smithy-protocol"], "rpc-v2-cbor");
    const decoded = cbor.deserialize(response.body as Buffer) as { MetricDataResults: { Timestamps: { tag: number; value: number }[] }[] };
    assert.deepEqual([decoded.MetricDataResults[0]?.Timestamps[0]?.tag, decoded.MetricDataResults[0]?.Timestamps[0]?.value], [1, 1_700_000_000]);
  });

  it("refuses bytes that are not CBOR and values of the wrong type as malformed, never as a crash", () => {
    assert.throws(() => decodeRpcInput(monitoring, "rpcv2Cbor", putMetricData, Buffer.from([0xff, 0x01])), (e: Error) => e instanceof MalformedInput && /not valid CBOR/.test(e.message));
    const wrong = Buffer.from(cbor.serialize({ Namespace: 42 }));
    assert.throws(() => decodeRpcInput(monitoring, "rpcv2Cbor", putMetricData, wrong), { message: "NUMBER_VALUE cannot be converted to String at 'Namespace'" });
    assert.throws(() => decodeRpcInput(dynamodb, "awsJson1_0", op(dynamodb, "DescribeTable"), Buffer.from("{nope")), { message: "The request body is not valid JSON." });
    assert.throws(() => decodeRpcInput(dynamodb, "awsJson1_0", op(dynamodb, "Scan"), Buffer.from('{"TableName":"t","Limit":"5"}')), { message: "STRING_VALUE cannot be converted to Integer at 'Limit'" });
  });

  it("a map key named __proto__ is an entry like any other, and never a structure member or the object's prototype", () => {
    const body = '{"TableName":"t","__proto__":{"polluted":true},"Item":{"__proto__":{"S":"p"},"a":{"M":{"__proto__":{"N":"1"}}},"b":{"S":"x","__proto__":{"S":"y"}}}}';
    const input = decodeRpcInput(dynamodb, "awsJson1_0", op(dynamodb, "PutItem"), Buffer.from(body)) as { Item: Record<string, unknown> };
    assert.deepEqual(Object.keys(input), ["TableName", "Item"], "an unknown member, __proto__ too, is dropped");
    assert.equal(Object.getPrototypeOf(input), Object.prototype);
    assert.equal(Object.getPrototypeOf(input.Item), Object.prototype);
    assert.deepEqual(Object.keys(input.Item), ["__proto__", "a", "b"]);
    assert.deepEqual(Object.getOwnPropertyDescriptor(input.Item, "__proto__")?.value, { S: "p" });
    assert.deepEqual(Object.keys((input.Item.a as { M: object }).M), ["__proto__"]);
    assert.deepEqual(Object.keys(input.Item.b as object), ["S"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("a wrong type deep inside an item is reported at its path", () => {
    const body = '{"TableName":"t","Item":{"a":{"L":[{"S":"x"},{"M":{"k":{"N":7}}}]}}}';
    assert.throws(() => decodeRpcInput(dynamodb, "awsJson1_0", op(dynamodb, "PutItem"), Buffer.from(body)), { message: "NUMBER_VALUE cannot be converted to String at 'Item.a.L.2.M.k.N'" });
  });
});

describe("validation from the model, in AWS's words", () => {
  it("reports missing members, enums, lengths, ranges and patterns with AWS's paths", () => {
    assert.equal(messageOf(sqs, "CreateQueue", {}), "1 validation error detected: Value null at 'queueName' failed to satisfy constraint: Member must not be null");
    assert.equal(
      messageOf(dynamodb, "CreateTable", { TableName: "t", BillingMode: "CHEAP", KeySchema: [{ AttributeName: "", KeyType: "HASH" }], AttributeDefinitions: [] }),
      "2 validation errors detected: Value '' at 'keySchema.1.member.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value 'CHEAP' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
    );
    assert.equal(messageOf(dynamodb, "Scan", { TableName: "t", Limit: 0 }), "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    assert.equal(
      messageOf(loadModel("logs"), "CreateLogGroup", { logGroupName: "bad name!" }),
      "1 validation error detected: Value 'bad name!' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
    );
    assert.deepEqual(validate(sqs, op(sqs, "CreateQueue").input, { QueueName: "q" }), []);
    // A constraint reached only through a list of structures is still checked (what no constraint can reach is skipped).
    assert.equal(
      messageOf(dynamodb, "TransactWriteItems", { TransactItems: [{ Put: { TableName: "", Item: { pk: { S: "x" } } } }] }),
      "1 validation error detected: Value '' at 'transactItems.1.member.put.tableName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it("words violations as the older Query services do (MissingParameter, InvalidParameterValue) when a service asks", () => {
    const missing = queryParameterError(validate(sqs, op(sqs, "CreateQueue").input, {}));
    assert.deepEqual([missing.code, missing.message], ["MissingParameter", "The request must contain the parameter QueueName."]);
    const invalid = queryParameterError(validate(monitoring, op(monitoring, "ListMetrics").input, { Namespace: "" }));
    assert.deepEqual([invalid.code, invalid.message], ["InvalidParameterValue", "Value  for parameter Namespace is invalid. Reason: Member must have length greater than or equal to 1."]);
  });
});

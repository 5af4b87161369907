/**
 * Kinesis's IAM actions, derived from its model: `kinesis:<Operation>` on the stream the input names
 * (`arn:aws:kinesis:<region>:<account>:stream/<name>`: StreamARN, StreamName, ResourceARN) or the consumer
 * its ConsumerARN names (SubscribeToShard, DescribeStreamConsumer), GetRecords
 * on the stream its iterator names (the iterator is sealed, so a forged one is refused when read),
 * listings and account operations on `*`. RegisterStreamConsumer with `Tags` also needs `kinesis:TagResource` on
 * the consumer it registers ("you must also have the kinesis:TagResource permission for the consumer that will be
 * registered", the API reference): its ARN as registering it now would give it. test/iam-derived-actions.test.ts.
 */
import type { Account } from "../../core/arn.js";
import { requestTagKeys } from "../../core/iam-policy/index.js";
import { consumerArn } from "../../core/kinesis.js";
import { streamNamedBy } from "../../core/shard-iterators.js";
import { derivedAuthorization, stringMember, type AuthorizationTable } from "../../protocol/codecs/derived-authorization.js";
import type { ServiceModel } from "../../protocol/codecs/model.js";

export function kinesisAuthorization(model: ServiceModel, account: Account, now: () => number): AuthorizationTable {
  const table = derivedAuthorization(model, {
    prefix: "kinesis",
    resourceOf: (_operation, input) => {
      const arn = stringMember(input, "ConsumerARN") ?? stringMember(input, "StreamARN") ?? stringMember(input, "ResourceARN");
      if (arn !== undefined) return arn;
      const name = stringMember(input, "StreamName");
      if (name !== undefined) return `arn:aws:kinesis:${account.region}:${account.accountId}:stream/${name}`;
      const iterator = stringMember(input, "ShardIterator");
      return (iterator !== undefined ? streamNamedBy(iterator) : undefined) ?? "*";
    },
  });
  const register = table.RegisterStreamConsumer;
  if (!register) return table;
  return {
    ...table,
    RegisterStreamConsumer: (input) => {
      const keys = requestTagKeys(input);
      const stream = stringMember(input, "StreamARN");
      const name = stringMember(input, "ConsumerName");
      if (keys?.["aws:TagKeys"] === undefined || stream === undefined || name === undefined) return register(input);
      return [...register(input), { action: "kinesis:TagResource", resource: consumerArn(stream, name, now()), keys }];
    },
  };
}

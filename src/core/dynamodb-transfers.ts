/**
 * DynamoDB's exports to S3 and imports from S3 as the store keeps them (src/services/dynamodb/exports.ts,
 * imports.ts): one document per export or import, by its ARN, so a description outlives a restart.
 */
export interface DynamoTransferRecord {
  /** `arn:aws:dynamodb:<region>:<account>:table/<table>/export/<id>` (or `/import/<id>`). */
  readonly arn: string;
  readonly tableArn: string;
  /** The request's ClientToken (an SDK fills one in); a repeat under it answers this record. */
  readonly clientToken: string;
  /** The request's parameters as JSON: a repeat under the same token must match them. */
  readonly request: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  /** The ExportDescription or ImportTableDescription as the API answers it, its times in epoch milliseconds. */
  readonly description: Readonly<Record<string, unknown>>;
}

/**
 * What DynamoDB's exports and imports need under IAM enforcement, as AWS's developer guide documents
 * them: ExportTableToPointInTime needs `dynamodb:ExportTableToPointInTime` on the table and
 * `s3:AbortMultipartUpload`, `s3:PutObject` and `s3:PutObjectAcl` on the objects it writes
 * (`arn:aws:s3:::<bucket>/<prefix>/AWSDynamoDB/*`); ImportTable needs `dynamodb:ImportTable` on the new
 * table and `s3:GetObject` on the source objects (`arn:aws:s3:::<bucket>/<prefix>*`) and `s3:ListBucket`
 * on the bucket (with `s3:prefix`). Describe asks on the export's or import's ARN, List on `*`. The
 * CloudWatch Logs actions AWS's example policy adds for imports are not asked: Unkai writes no import log.
 */
import type { ActionRequest } from "../../core/iam-policy/index.js";
import { stringMember, type AuthorizationTable } from "../../protocol/codecs/derived-authorization.js";

const member = (input: Record<string, unknown>, name: string): Record<string, unknown> => {
  const value = input[name];
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
};

export function transferAuthorization(table: (name: string) => string): AuthorizationTable {
  return {
    ExportTableToPointInTime: (input): readonly ActionRequest[] => {
      const bucket = stringMember(input, "S3Bucket") ?? "*";
      const prefix = (stringMember(input, "S3Prefix") ?? "").replace(/\/+$/, "");
      const objects = `arn:aws:s3:::${bucket}/${prefix === "" ? "" : `${prefix}/`}AWSDynamoDB/*`;
      return [
        { action: "dynamodb:ExportTableToPointInTime", resource: table(stringMember(input, "TableArn") ?? "*") },
        ...["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectAcl"].map((action) => ({ action, resource: objects })),
      ];
    },
    ImportTable: (input): readonly ActionRequest[] => {
      const source = member(input, "S3BucketSource");
      const bucket = stringMember(source, "S3Bucket") ?? "*";
      const prefix = stringMember(source, "S3KeyPrefix") ?? "";
      const name = stringMember(member(input, "TableCreationParameters"), "TableName");
      return [
        { action: "dynamodb:ImportTable", resource: name === undefined ? "*" : table(name) },
        { action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/${prefix}*` },
        { action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, keys: { "s3:prefix": prefix } },
      ];
    },
    DescribeExport: (input) => [{ action: "dynamodb:DescribeExport", resource: stringMember(input, "ExportArn") ?? "*" }],
    DescribeImport: (input) => [{ action: "dynamodb:DescribeImport", resource: stringMember(input, "ImportArn") ?? "*" }],
    ListExports: () => [{ action: "dynamodb:ListExports", resource: "*" }],
    ListImports: () => [{ action: "dynamodb:ListImports", resource: "*" }],
  };
}

/**
 * What the AWS console does when it wires a service to a function: AddPermission letting the service's
 * principal invoke the function for that one source (a bucket, a topic), so the wiring also works under
 * `--iam enforce`, where S3 and SNS invoke a function only if its policy allows them.
 */
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { lambda } from "./api.js";

/** Adds the statement once: the id is derived from the service and source, so wiring twice keeps one. */
export async function allowService(functionArn, principal, sourceArn) {
  const source = sourceArn.slice(sourceArn.lastIndexOf(":") + 1).replace(/[^A-Za-z0-9_-]/g, "-");
  const StatementId = `${principal.split(".")[0]}-${source}`.slice(0, 100);
  try {
    await lambda().send(new AddPermissionCommand({ FunctionName: functionArn, StatementId, Action: "lambda:InvokeFunction", Principal: principal, SourceArn: sourceArn }));
  } catch (error) {
    if (error?.name !== "ResourceConflictException") throw error;
  }
}

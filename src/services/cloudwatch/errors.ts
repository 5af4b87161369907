/**
 * CloudWatch's error table. Codes are the model's shape names (what AWS JSON 1.0 and RPC v2 CBOR answer
 * in `__type`); Query clients, and JSON clients through `x-amzn-query-error`, get the model's legacy
 * code (`InvalidParameterValueException` → `InvalidParameterValue`). All client errors are 400, as the
 * model says, except ResourceNotFound, DashboardNotFoundError and ResourceNotFoundException (404).
 */
import { COMMON_ERRORS, QUERY_COMMON_ERRORS, type ErrorTable } from "../../core/errors.js";

const sender = { status: 400, messageKey: "message", userType: false } as const;

/** docs/errors.md lists these under "CloudWatch errors" (a test keeps them in sync). */
export const CLOUDWATCH_ERRORS = {
  ...COMMON_ERRORS,
  ...QUERY_COMMON_ERRORS,
  // A value out of range or malformed: NaN/Infinity, a namespace under AWS/, a unit outside the set,
  // a period that is not a multiple of 60, a timestamp older than two weeks, a NextToken not ours
  InvalidParameterValueException: sender,
  // A required parameter missing ("The parameter Namespace is required.")
  MissingRequiredParameterException: sender,
  // Parameters that exclude or need each other (Value with StatisticValues, too many data points asked for)
  InvalidParameterCombinationException: sender,
  // A DescribeAlarms / DescribeAlarmHistory NextToken that is not one of ours
  InvalidNextToken: sender,
  // More alarms than an account may have
  LimitExceededFault: sender,
  ResourceNotFound: { status: 404, messageKey: "message", userType: false },
  // TagResource, UntagResource, ListTagsForResource of an ARN that names no alarm or dashboard here
  ResourceNotFoundException: { status: 404, messageKey: "message", userType: false },
  // GetDashboard and DeleteDashboards of a dashboard that does not exist (Query code ResourceNotFound)
  DashboardNotFoundError: { status: 404, messageKey: "message", userType: false },
  // PutDashboard with a body that is not JSON or breaks the documented structure (Query code InvalidParameterInput)
  DashboardInvalidInputError: sender,
  // SetAlarmState with StateReasonData that is not JSON
  InvalidFormatFault: sender,
  // The codec's own answers on the JSON and CBOR wires: a body that does not parse or a value of the wrong type
  SerializationException: sender,
  ValidationException: sender,
} as const satisfies ErrorTable;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    cloudwatch: typeof CLOUDWATCH_ERRORS;
  }
}

/** API Gateway's error table, for both management APIs (apigateway REST APIs, apigatewayv2 HTTP APIs). */
import { COMMON_ERRORS, type ErrorTable } from "../../core/errors.js";

/** docs/errors.md lists these under "API Gateway errors" (a test keeps them in sync). */
export const API_GATEWAY_ERRORS = {
  ...COMMON_ERRORS,
  BadRequestException: { status: 400, messageKey: "message", userType: false },
  NotFoundException: { status: 404, messageKey: "message", userType: false },
  ConflictException: { status: 409, messageKey: "message", userType: false },
  LimitExceededException: { status: 429, messageKey: "message", userType: false },
} as const satisfies ErrorTable;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    apigateway: typeof API_GATEWAY_ERRORS;
  }
}

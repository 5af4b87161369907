/** The invocation record Lambda sends to asynchronous destinations (`version` 1.0). */
import type { FailureCondition, LastResponse } from "../core/event-invoke-config.js";

export interface DestinationRecord {
  readonly version: "1.0";
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: "Success" | FailureCondition;
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext?: { readonly statusCode: number; readonly executedVersion: string; readonly functionError?: string };
  readonly responsePayload?: unknown;
}

export function destinationRecord(input: {
  requestId: string;
  qualifiedArn: string;
  condition: "Success" | FailureCondition;
  invokeCount: number;
  payload: Buffer;
  response: LastResponse | undefined;
  executedVersion: string;
}): DestinationRecord {
  const record: DestinationRecord = {
    version: "1.0",
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: input.qualifiedArn,
      condition: input.condition,
      approximateInvokeCount: input.invokeCount,
    },
    requestPayload: parseOrText(input.payload.toString("utf8")),
  };
  if (!input.response) return record;
  return {
    ...record,
    responseContext: {
      statusCode: 200,
      executedVersion: input.executedVersion,
      ...(input.response.functionError ? { functionError: input.response.functionError } : {}),
    },
    responsePayload: parseOrText(input.response.payload),
  };
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

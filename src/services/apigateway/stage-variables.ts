/**
 * API Gateway's stage variable rules, shared by REST API stages (`variables`) and HTTP API stages (`stageVariables`):
 * at most 100 a stage, names of letters, digits and underscores up to 64 characters, values of 1 to 512 characters
 * matching [A-Za-z0-9-._~:/?#&=,]+ ("Quotas for configuring and running a REST API / an HTTP API in API Gateway",
 * developer guide; the variables and StageVariables members of both API references).
 */
import { UnkaiError } from "../../core/errors.js";

export const MAX_STAGE_VARIABLES = 100;
const NAME = /^[A-Za-z0-9_]{1,64}$/;
const VALUE = /^[A-Za-z0-9\-._~:/?#&=,]{1,512}$/;

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

/** One stage variable's name and value. */
export function checkStageVariable(name: string, value: string): void {
  if (!NAME.test(name)) throw badRequest(`Invalid stage variable name '${name.slice(0, 80)}': use 1 to 64 letters, digits and underscores.`);
  if (!VALUE.test(value)) {
    throw badRequest(`Invalid value for stage variable '${name}': use 1 to 512 characters from A-Z, a-z, 0-9 and -._~:/?#&=, (${value.length} given).`);
  }
}

/** How many variables a stage may keep. */
export function checkStageVariableCount(count: number): void {
  if (count > MAX_STAGE_VARIABLES) throw badRequest(`A stage can have at most ${MAX_STAGE_VARIABLES} stage variables; this request would give it ${count}.`);
}

/** A stage's whole set of variables, as CreateStage, CreateDeployment and UpdateStage would store it. */
export function validateStageVariables(variables: Readonly<Record<string, string>>): void {
  const entries = Object.entries(variables);
  checkStageVariableCount(entries.length);
  for (const [name, value] of entries) checkStageVariable(name, value);
}

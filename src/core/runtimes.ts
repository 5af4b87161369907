/** The Lambda runtimes Unkai accepts, and which bootstrap family runs each. */
export const RUNTIMES = {
  "nodejs20.x": { family: "node", version: "20" },
  "nodejs22.x": { family: "node", version: "22" },
  "python3.11": { family: "python", version: "3.11" },
  "python3.12": { family: "python", version: "3.12" },
  "provided.al2023": { family: "provided", version: "al2023" },
  "provided.al2": { family: "provided", version: "al2" },
} as const;

export type RuntimeId = keyof typeof RUNTIMES;
export type RuntimeFamily = (typeof RUNTIMES)[RuntimeId]["family"];

export function isRuntimeId(value: string): value is RuntimeId {
  return Object.hasOwn(RUNTIMES, value);
}

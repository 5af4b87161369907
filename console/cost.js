/** The cost model: Lambda's published prices against an always-on VM with the same memory. */

/** AWS Lambda, us-east-1, x86, on-demand, without the free tier. */
export const LAMBDA_PRICE = { perMillionRequests: 0.2, perGbSecond: 0.0000166667 };

/** EC2 on-demand Linux prices in us-east-1 for the burstable t3 family (USD per hour). */
const VM_PRICES = [
  { type: "t3.nano", memoryMb: 512, hourly: 0.0052 },
  { type: "t3.micro", memoryMb: 1024, hourly: 0.0104 },
  { type: "t3.small", memoryMb: 2048, hourly: 0.0208 },
  { type: "t3.medium", memoryMb: 4096, hourly: 0.0416 },
  { type: "t3.large", memoryMb: 8192, hourly: 0.0832 },
  { type: "t3.xlarge", memoryMb: 16_384, hourly: 0.1664 },
  { type: "t3.2xlarge", memoryMb: 32_768, hourly: 0.3328 },
];

export const HOURS_PER_MONTH = 730;

/** Monthly Lambda cost at a steady `requestsPerSecond`, each billed `billedMs` at `memoryMb`. */
export function lambdaMonthly(requestsPerSecond, billedMs, memoryMb) {
  const requests = requestsPerSecond * HOURS_PER_MONTH * 3600;
  const gbSeconds = requests * (billedMs / 1000) * (memoryMb / 1024);
  const requestCost = (requests / 1_000_000) * LAMBDA_PRICE.perMillionRequests;
  const computeCost = gbSeconds * LAMBDA_PRICE.perGbSecond;
  return { requests, gbSeconds, requestCost, computeCost, total: requestCost + computeCost };
}

/** The smallest t3 with at least `memoryMb`, running all month. */
export function vmMonthly(memoryMb) {
  const vm = VM_PRICES.find((v) => v.memoryMb >= memoryMb) ?? VM_PRICES[VM_PRICES.length - 1];
  return { ...vm, total: vm.hourly * HOURS_PER_MONTH };
}

export const dollars = (value) => `$${value < 100 ? value.toFixed(2) : Math.round(value).toLocaleString("en-US")}`;

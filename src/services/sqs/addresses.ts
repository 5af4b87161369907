/**
 * Queue URLs and ARNs. A queue URL is `<scheme>://<host>/<account>/<name>` with the host the caller
 * reached Unkai by, because SDKs send a queue's requests to its URL (SDK v3 and aws-sdk v2 rewrite
 * the endpoint to it): a URL naming another host would send a function's calls elsewhere. Any
 * host is accepted back; the path names the queue.
 */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";

export const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
export const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export function queueUrl(base: string, account: Account, name: string): string {
  return `${base}/${account.accountId}/${name}`;
}

export function queueArn(account: Account, name: string): string {
  return `arn:aws:sqs:${account.region}:${account.accountId}:${name}`;
}

const doesNotExist = () => new UnkaiError("QueueDoesNotExist", "The specified queue does not exist.");

/** The queue name a QueueUrl names; another account's queue does not exist here. */
export function queueNameFromUrl(url: string, account: Account): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    throw new UnkaiError("InvalidAddress", `The address ${url.slice(0, 200)} is not valid for this endpoint.`);
  }
  const match = /^\/(\d{12})\/([^/]+)\/?$/.exec(path);
  if (!match?.[2]) throw new UnkaiError("InvalidAddress", `The address ${url.slice(0, 200)} is not valid for this endpoint.`);
  if (match[1] !== account.accountId) throw doesNotExist();
  return decodeURIComponent(match[2]);
}

/** The queue name of an SQS ARN in this account and region, or undefined. */
export function queueNameFromArn(arn: string, account: Account): string | undefined {
  const match = /^arn:aws[a-zA-Z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,80})$/.exec(arn);
  if (!match || match[1] !== account.region || match[2] !== account.accountId) return undefined;
  return match[3];
}

export { doesNotExist };

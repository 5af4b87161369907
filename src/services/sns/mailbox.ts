/**
 * The local mailbox `email` and `email-json` subscriptions are delivered to: Unkai sends no mail
 * out; each message is one RFC 5322 file, `<dataDir>/mail/<address>/<time>-<id>.eml`, written
 * atomically (temp file, then rename). The address names a directory, so only a plain address is
 * accepted (letters, digits and `_%+-` in dot-separated atoms, a dotted domain): no `/`, `\`, `..`
 * or leading dot can reach the path, and the resolved directory is checked to be inside the mailbox.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";

const ATOM = "[A-Za-z0-9_%+-]+";
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const ADDRESS = new RegExp(`^${ATOM}(?:\\.${ATOM})*@${LABEL}(?:\\.${LABEL})+$`);

/** Whether `address` is one the mailbox takes (SNS's Subscribe answers InvalidParameter otherwise). */
export function isMailboxAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

export interface Mail {
  readonly to: string;
  readonly fromName: string;
  readonly subject: string;
  readonly body: string;
  readonly messageId: string;
  readonly dateMs: number;
}

/** A header value on one line; non-ASCII as an RFC 2047 encoded word. */
function headerValue(value: string): string {
  const line = value.replace(/[\r\n]+/g, " ");
  return /^[\x20-\x7e]*$/.test(line) ? line : `=?UTF-8?B?${Buffer.from(line, "utf8").toString("base64")}?=`;
}

/** The message as RFC 5322 text: CRLF line ends, UTF-8 body sent as 8bit. */
export function formatMail(mail: Mail): string {
  const headers = [
    `From: ${headerValue(mail.fromName)} <no-reply@sns.amazonaws.com>`,
    `To: ${mail.to}`,
    `Subject: ${headerValue(mail.subject)}`,
    `Date: ${new Date(mail.dateMs).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${mail.messageId}@sns.unkai.local>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
  ];
  return `${headers.join("\r\n")}\r\n\r\n${mail.body.replace(/\r?\n/g, "\r\n")}\r\n`;
}

export class Mailbox {
  private readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  /** The directory of one address (lower case: addresses differ only in case are one mailbox). */
  directoryOf(address: string): string {
    if (!isMailboxAddress(address)) throw new Error(`not a mailbox address: ${JSON.stringify(address)}`);
    const dir = resolve(this.root, address.toLowerCase());
    if (!dir.startsWith(this.root + sep)) throw new Error(`mailbox address escapes the mailbox: ${JSON.stringify(address)}`);
    return dir;
  }

  /** Writes one message; resolves once it is in place. */
  async deliver(mail: Mail): Promise<string> {
    const dir = this.directoryOf(mail.to);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${mail.dateMs}-${mail.messageId}.eml`);
    await writeFile(`${path}.tmp`, formatMail(mail), { mode: 0o600 });
    await rename(`${path}.tmp`, path);
    return path;
  }
}

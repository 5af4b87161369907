/** IAM's stored entities: users, roles and customer managed policies, with their inline policies and attachments. */

export type IamEntityKind = "user" | "role" | "policy";
/** The principals that carry inline policies and attachments. */
export type IamPrincipalKind = "user" | "role";

export interface IamEntity {
  readonly kind: IamEntityKind;
  /** Unique per kind, compared case-insensitively as IAM does. */
  readonly name: string;
  /** IAM's unique id (`AIDA…` users, `AROA…` roles, `ANPA…` policies). */
  readonly id: string;
  readonly arn: string;
  readonly path: string;
  readonly createdAt: number;
  /** A role's trust policy or a managed policy's (default version) document, as given. */
  readonly document?: string | undefined;
  readonly description?: string | undefined;
  /** Roles: the longest session AssumeRole grants, in seconds. */
  readonly maxSessionDurationSeconds?: number | undefined;
}

export interface InlinePolicy {
  readonly policyName: string;
  readonly document: string;
}

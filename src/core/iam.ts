/** IAM's stored entities: users, roles and customer managed policies, with their inline policies and attachments. */

export type IamEntityKind = "user" | "role" | "group" | "policy";
/** The entities that carry inline policies and attachments (a group's apply to its members). */
export type IamPrincipalKind = "user" | "role" | "group";

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
  /** Customer managed policies: the version `document` holds (`v1` until SetDefaultPolicyVersion). */
  readonly defaultVersionId?: string | undefined;
  /** Users' and roles' tags (`aws:PrincipalTag/<key>` in their requests). */
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /** Users and roles: the managed policy ARN that caps what their identity policies allow. */
  readonly permissionsBoundary?: string | undefined;
}

/** One version of a customer managed policy. */
export interface PolicyVersion {
  readonly versionId: string;
  readonly document: string;
  readonly createdAt: number;
}

export interface InlinePolicy {
  readonly policyName: string;
  readonly document: string;
}

/** An IAM instance profile: a container for one role that EC2 would hand to an instance (stored; nothing runs it). */
export interface InstanceProfileRecord {
  readonly name: string;
  /** `AIPA…`. */
  readonly id: string;
  readonly arn: string;
  readonly path: string;
  readonly createdAt: number;
  /** The role's name (at most one, as IAM allows), in the order added. */
  readonly roles: readonly string[];
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

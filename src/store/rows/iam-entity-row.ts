/** An iam_entities row as both backends read it, and the entity it is. */
import type { IamEntity, IamEntityKind } from "../../core/iam.js";

export interface IamEntityRow {
  kind: string;
  name: string;
  id: string;
  arn: string;
  path: string;
  created_at: number;
  document: string | null;
  description: string | null;
  max_session_seconds: number | null;
}

export const iamEntityFrom = (row: IamEntityRow): IamEntity => ({
  kind: row.kind as IamEntityKind,
  name: row.name,
  id: row.id,
  arn: row.arn,
  path: row.path,
  createdAt: row.created_at,
  document: row.document ?? undefined,
  description: row.description ?? undefined,
  maxSessionDurationSeconds: row.max_session_seconds ?? undefined,
});

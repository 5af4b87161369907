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
  default_version: string | null;
  tags: string | null;
  permissions_boundary: string | null;
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
  ...(row.default_version !== null ? { defaultVersionId: row.default_version } : {}),
  ...(row.tags !== null ? { tags: JSON.parse(row.tags) as Record<string, string> } : {}),
  ...(row.permissions_boundary !== null ? { permissionsBoundary: row.permissions_boundary } : {}),
});

/** Tags as stored: JSON, or NULL when there are none. */
export const tagsColumn = (tags: Readonly<Record<string, string>> | undefined) => (tags && Object.keys(tags).length > 0 ? JSON.stringify(tags) : null);

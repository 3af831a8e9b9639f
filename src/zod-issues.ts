/**
 * Turns zod issues into "field: problem" text for error messages. It must never add the input value:
 * zod's own messages do not carry it, and custom messages passed to a schema must not either.
 */
import type { z } from 'zod';

export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || root}: ${issue.message}`).join('; ');
}

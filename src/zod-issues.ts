/** Turns zod issues into "field: problem" text; zod's own messages never carry the input value. */
import type { z } from 'zod';

export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || root}: ${issue.message}`).join('; ');
}

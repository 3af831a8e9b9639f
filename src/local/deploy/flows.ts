// The shipped CloudFlow definitions as deploy/flows.yaml embeds them: each file's exact text, and the
// two documented substitutions ROS applies at deploy time (Fn::Replace) - the placeholder function ARN
// becomes the deployed function's ARN, and the Map flows' `MaxConcurrency: 10` the chosen concurrency.
// Reads flows/ only; never rewrites a flow.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/** Every Task's Parameters.resourceArn in flows/ is this literal. */
export const FUNCTION_ARN_PLACEHOLDER = 'acs:fc:REGION:ACCOUNT_ID:functions/fc-secret-rotation';

/** The literal line the Map flows carry; ROS replaces it with the MapConcurrency parameter. */
export const MAX_CONCURRENCY_LINE = 'MaxConcurrency: 10';

/** The CloudFlow cap on Map concurrency. */
export const MAX_MAP_CONCURRENCY = 40;

/** The shipped flows, in the order the template lists them; `logicalId` names the ROS resource. */
export const FLOW_FILES = [
  { file: 'rotate-secret.yaml', logicalId: 'RotateSecretFlow' },
  { file: 'rotate-many.yaml', logicalId: 'RotateManyFlow' },
  { file: 'rotate-due.yaml', logicalId: 'RotateDueFlow' },
] as const;

/** The flow the daily schedule starts. */
export const SCHEDULED_FLOW_FILE = 'rotate-due.yaml';

const flowHeader = z.object({
  Type: z.literal('StateMachine'),
  Name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, 'a CloudFlow flow name'),
  SpecVersion: z.literal('v1'),
  Description: z.string().min(1).optional(),
});

export interface ShippedFlow {
  file: string;
  logicalId: string;
  /** The flow's Name, which is also the ROS flow name. */
  name: string;
  description: string | undefined;
  /** The file's text, byte for byte. */
  text: string;
  /** The substrings Fn::Replace replaces in this flow: each occurs in `text`. */
  replaces: { functionArn: true; maxConcurrency: boolean };
}

export function readShippedFlows(root: string): ShippedFlow[] {
  return FLOW_FILES.map(({ file, logicalId }) => {
    const path = join(root, 'flows', file);
    const text = readFileSync(path, 'utf8');
    const header = flowHeader.safeParse(parse(text));
    if (!header.success)
      throw new Error(`flows/${file}: ${header.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (!text.includes(FUNCTION_ARN_PLACEHOLDER)) throw new Error(`flows/${file} never names ${FUNCTION_ARN_PLACEHOLDER}`);
    return {
      file,
      logicalId,
      name: header.data.Name,
      description: header.data.Description,
      text,
      replaces: { functionArn: true, maxConcurrency: text.includes(MAX_CONCURRENCY_LINE) },
    };
  });
}

/** What ROS's Fn::Replace makes of a flow's text: every occurrence of each key replaced, as the template asks. */
export function substituteFlow(text: string, functionArn: string, mapConcurrency: number): string {
  return text.replaceAll(FUNCTION_ARN_PLACEHOLDER, functionArn).replaceAll(MAX_CONCURRENCY_LINE, `MaxConcurrency: ${mapConcurrency}`);
}

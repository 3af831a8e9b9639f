/**
 * Reads a flow definition from YAML or JSON text (JSON is YAML too) or a file and validates it, so
 * the operator CLI's `flow validate FILE` and `flow run FILE` and the tests read flows one way.
 * YAML errors (a duplicate key above all) are reported as problems like the definition's own.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { FlowDefinition } from './definition.js';
import { FlowDefinitionError } from './errors.js';
import { validateDefinition } from './validate.js';

/** The document a text holds, or a FlowDefinitionError naming each YAML error. */
export function parseFlowText(text: string, sourceName: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => ({ path: '', field: '', message: `not valid YAML or JSON: ${e.message}` }));
  if (problems.length > 0) throw new FlowDefinitionError(sourceName, problems);
  return doc.toJS();
}

export function loadFlow(text: string, sourceName = 'flow definition'): FlowDefinition {
  return validateDefinition(parseFlowText(text, sourceName), sourceName);
}

export async function loadFlowFile(path: string): Promise<FlowDefinition> {
  return loadFlow(await readFile(path, 'utf8'), path);
}

/**
 * The flows a local CloudFlow emulator hosts: the shipped ones from `flows/` under their names by
 * default, or definitions a caller gives (a file, YAML/JSON text, or a definition object), each
 * validated by the local runner before the emulator listens. Answers DescribeFlow and ListFlows in
 * the API's shape; a flow's Definition is its text as written. No HTTP.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { loadFlow, validateDefinition, type FlowDefinition } from '../../cloudflow/index.js';
import { SHIPPED_FLOWS, shippedFlowPath } from '../../runner/flow.js';
import type { AcsResult } from '../acs-rpc/params.js';
import { formatTime } from './params.js';

/** A flow to host: a definition file, its text, or a definition object; hosted under `name`, else the definition's Name. */
export type HostedFlowSpec =
  | { path: string; name?: string; description?: string }
  | { text: string; name?: string; description?: string }
  | { definition: FlowDefinition; name?: string; description?: string };

export interface HostedFlow {
  readonly name: string;
  readonly id: string;
  readonly definition: FlowDefinition;
  /** What DescribeFlow answers as Definition and executions as FlowDefinition. */
  readonly text: string;
  readonly description: string;
  readonly createdAt: number;
}

export function shippedFlowSpecs(): HostedFlowSpec[] {
  return SHIPPED_FLOWS.map((name) => ({ path: shippedFlowPath(name), name }));
}

async function load(spec: HostedFlowSpec): Promise<{ definition: FlowDefinition; text: string }> {
  if ('path' in spec) {
    const text = await readFile(spec.path, 'utf8');
    return { definition: loadFlow(text, spec.path), text };
  }
  if ('text' in spec) return { definition: loadFlow(spec.text, spec.name ?? 'flow definition'), text: spec.text };
  const definition = validateDefinition(spec.definition, `flow ${String(spec.definition?.Name)}`);
  return { definition, text: stringify(definition) };
}

export async function loadHostedFlows(specs: readonly HostedFlowSpec[], now: number): Promise<Map<string, HostedFlow>> {
  const flows = new Map<string, HostedFlow>();
  for (const spec of specs) {
    const { definition, text } = await load(spec);
    const name = spec.name ?? definition.Name;
    if (flows.has(name)) throw new Error(`CloudFlow emulator: two flows are named ${name}`);
    flows.set(name, {
      name,
      id: randomUUID(),
      definition,
      text,
      description: spec.description ?? definition.Description ?? '',
      createdAt: now,
    });
  }
  return flows;
}

/** DescribeFlow's answer, and one item of ListFlows' Flows. Every hosted flow is of the Standard execution mode. */
export function describeFlow(flow: HostedFlow): AcsResult {
  return {
    Name: flow.name,
    Id: flow.id,
    Type: 'FDL',
    Definition: flow.text,
    Description: flow.description,
    ExecutionMode: 'Standard',
    CreatedTime: formatTime(flow.createdAt),
    LastModifiedTime: formatTime(flow.createdAt),
  };
}

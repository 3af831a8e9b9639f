// Loading from text or a file: YAML and JSON alike, YAML errors reported as problems, and the
// shipped flows accepted by the runner that will run them.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowDefinitionError, loadFlow, loadFlowFile } from '../../../src/local/cloudflow/index.js';
import { document, pass } from './support.js';

const YAML = `
Type: StateMachine
Name: tiny
SpecVersion: v1
StartAt: Only
States:
  - Type: Pass
    Name: Only
    End: true
`;

describe('loadFlow', () => {
  it('reads YAML and JSON alike', () => {
    expect(loadFlow(YAML).States[0]?.Name).toBe('Only');
    expect(loadFlow(JSON.stringify(document([pass('Only')]))).Name).toBe('test-flow');
  });

  it('reports a YAML error, such as a duplicate key, as a problem naming the source', () => {
    const text = `${YAML}StartAt: Again\n`;
    expect(() => loadFlow(text, 'flows/x.yaml')).toThrow(FlowDefinitionError);
    expect(() => loadFlow(text, 'flows/x.yaml')).toThrow(
      /^flows\/x\.yaml: 1 problem in the flow definition:\n {2}- \(flow\): not valid YAML or JSON: .*[Mm]ap keys must be unique/,
    );
  });

  it('validates what it parsed and names the source in the error', () => {
    const error = (() => {
      try {
        loadFlow(YAML.replace('End: true', 'Next: Elsewhere'), 'inline.yaml');
      } catch (err) {
        return err as FlowDefinitionError;
      }
      throw new Error('expected a FlowDefinitionError');
    })();
    expect(error.message).toMatch(/^inline\.yaml: 1 problem/);
    expect(error.problems).toEqual([{ path: 'Only', field: 'Next', message: '"Elsewhere" names no state in the flow' }]);
  });
});

describe('loadFlowFile', () => {
  it('reads a file and names its path in problems', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudflow-'));
    const path = join(dir, 'flow.yaml');
    await writeFile(path, YAML);
    expect((await loadFlowFile(path)).Name).toBe('tiny');
    await writeFile(path, YAML.replace('SpecVersion: v1', 'SpecVersion: v2'));
    await expect(loadFlowFile(path)).rejects.toThrow(`${path}: 1 problem`);
  });

  it.each(['rotate-secret', 'rotate-many', 'rotate-due'])('accepts the shipped flow %s', async (name) => {
    const flow = await loadFlowFile(`flows/${name}.yaml`);
    expect(flow.Name).toBe(name);
  });
});

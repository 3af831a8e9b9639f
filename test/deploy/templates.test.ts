// The generated ROS templates: current with flows/, read the same by YAML 1.1 and 1.2 readers, the
// function's role limited to exactly the actions it calls, the flows' role to invoking the function, the
// flows embedded byte for byte with only the two documented substitutions, the daily schedule of
// rotate-due and the alarm on failed executions.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FLOW_FILES,
  FUNCTION_ARN_PLACEHOLDER,
  MAX_CONCURRENCY_LINE,
  readShippedFlows,
  substituteFlow,
} from '../../src/local/deploy/flows.js';
import { FLOWS_TEMPLATE, FUNCTION_ROLE_TEMPLATE, staleTemplates } from '../../src/local/deploy/generate.js';
import { FLOW_RAM_ACTIONS, FUNCTION_API_ACTIONS, FUNCTION_RAM_ACTIONS } from '../../src/local/deploy/ram-actions.js';
import { evaluate, intrinsicsUsed, KNOWN_INTRINSICS, loadSYaml, loadTemplate, PSEUDO, readText, ROOT, statementsOf } from './support.js';

const roleTemplate = loadTemplate(FUNCTION_ROLE_TEMPLATE);
const flowsTemplate = loadTemplate(FLOWS_TEMPLATE);
const flows = readShippedFlows(ROOT);
const ARN = `acs:fc:${PSEUDO['ALIYUN::Region']}:${PSEUDO['ALIYUN::TenantId']}:functions/rotation-prod`;
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Every state of a definition, Map processors' states included. */
function statesOf(definition: { States?: unknown[] }): Record<string, unknown>[] {
  return (definition.States ?? []).flatMap((state) => {
    const s = state as Record<string, unknown> & { Processor?: { States?: unknown[] }; Branches?: { States?: unknown[] }[] };
    const nested = [s.Processor, ...(Array.isArray(s.Branches) ? s.Branches : [])].filter((x) => x !== undefined && 'States' in x);
    return [s, ...nested.flatMap((inner) => statesOf(inner as { States?: unknown[] }))];
  });
}

describe('generated templates', () => {
  it('are current: a fresh rendering from flows/ equals the committed files', async () => {
    expect(await staleTemplates()).toEqual([]);
  });

  it('are found stale when a flow changes and the templates do not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-templates-'));
    temps.push(dir);
    for (const path of ['flows', 'deploy', '.prettierrc.json']) cpSync(join(ROOT, path), join(dir, path), { recursive: true });
    expect(await staleTemplates(dir)).toEqual([]);
    const file = join(dir, 'flows', 'rotate-many.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Description:', 'Description: changed'));
    expect(await staleTemplates(dir)).toEqual([FLOWS_TEMPLATE]);
  });

  it('read the same under YAML 1.1 and 1.2, with the format version a string, using only known intrinsics', () => {
    for (const path of [FUNCTION_ROLE_TEMPLATE, FLOWS_TEMPLATE]) {
      expect(loadTemplate(path, '1.1'), path).toEqual(loadTemplate(path, '1.2'));
      expect(loadTemplate(path).ROSTemplateFormatVersion).toBe('2015-09-01');
      for (const used of intrinsicsUsed(loadTemplate(path))) expect(KNOWN_INTRINSICS, `${path}: ${used}`).toContain(used);
      // Every Ref, Sub variable and GetAtt resolves to a declared parameter, pseudo parameter or resource.
      const template = loadTemplate(path);
      expect(() =>
        evaluate(template, { r: template.Resources, o: template.Outputs }, { FunctionArn: ARN, FunctionRoleName: 'r', FlowRoleName: 'f' }),
      ).not.toThrow();
    }
  });
});

describe('the function role', () => {
  const role = roleTemplate.Resources['FunctionRole'];
  const statements = statementsOf(role ?? { Properties: {} });
  const actions = statements.flatMap((s) => s.Action);

  it('is trusted by Function Compute alone', () => {
    expect(role?.Type).toBe('ALIYUN::RAM::Role');
    expect(role?.Properties['AssumeRolePolicyDocument']).toEqual({
      Version: '1',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['fc.aliyuncs.com'] } }],
    });
    expect(roleTemplate.Outputs?.['FunctionRoleArn']?.Value).toEqual({ 'Fn::GetAtt': ['FunctionRole', 'Arn'] });
  });

  it('allows exactly the KMS and RDS actions the function calls, each once', () => {
    const expected = [
      'kms:GetSecretValue',
      'kms:PutSecretValue',
      'kms:ListSecretVersionIds',
      'kms:UpdateSecretVersionStage',
      'kms:ListSecrets',
      'rds:DescribeDBInstanceAttribute',
      'rds:DescribeAccounts',
      'rds:CreateAccount',
      'rds:ResetAccountPassword',
      'rds:GrantAccountPrivilege',
      'rds:RevokeAccountPrivilege',
      'rds:DescribeDBInstanceNetInfo',
    ];
    expect([...actions].sort()).toEqual([...expected].sort());
    expect(new Set(actions).size).toBe(actions.length);
    expect([...FUNCTION_RAM_ACTIONS].sort()).toEqual([...expected].sort());
    expect([...FUNCTION_API_ACTIONS.kms, ...FUNCTION_API_ACTIONS.rds]).toEqual(expected.map((a) => a.split(':')[1]));
  });

  it('has no wildcard action, no Deny tricks, and nothing that deletes', () => {
    for (const action of actions) {
      expect(action).toMatch(/^(kms|rds):[A-Z][A-Za-z]+$/);
      expect(action).not.toContain('*');
      expect(action).not.toMatch(/Delete/);
    }
    for (const statement of statements) {
      expect(Object.keys(statement).sort()).toEqual(['Action', 'Effect', 'Resource']);
      expect(statement.Effect).toBe('Allow');
    }
  });

  it('scopes resources to this region and account, secrets to the name prefix', () => {
    const resources = (prefix: string) =>
      statements.map((s) => ({
        actions: s.Action,
        resources: evaluate(roleTemplate, s.Resource, { FunctionRoleName: 'r', SecretNamePrefix: prefix }) as string[],
      }));
    const account = `${PSEUDO['ALIYUN::Region']}:${PSEUDO['ALIYUN::TenantId']}`;
    for (const { resources: list } of resources('')) {
      for (const arn of list) {
        expect(arn).not.toBe('*');
        expect(arn).toMatch(new RegExp(`^acs:(kms|rds):${account}:(secret|dbinstance)`));
      }
    }
    const scoped = resources('app-').find((s) => s.actions.includes('kms:GetSecretValue'));
    expect(scoped?.resources).toEqual([`acs:kms:${account}:secret/app-*`]);
    expect(scoped?.actions).not.toContain('kms:ListSecrets');
    const rds = resources('').find((s) => s.actions.includes('rds:CreateAccount'));
    expect(rds?.resources).toEqual([`acs:rds:${account}:dbinstance/*`]);
  });
});

describe('the flows template', () => {
  const flowRole = flowsTemplate.Resources['FlowRole'];

  it('gives CloudFlow a role that may only invoke this function and its qualifiers', () => {
    expect(flowRole?.Properties['AssumeRolePolicyDocument']).toEqual({
      Version: '1',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['fnf.aliyuncs.com'] } }],
    });
    const statements = statementsOf(flowRole ?? { Properties: {} });
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toEqual(['fc:InvokeFunction']);
    expect(FLOW_RAM_ACTIONS).toEqual(['fc:InvokeFunction']);
    expect(statements[0]?.Effect).toBe('Allow');
    expect(evaluate(flowsTemplate, statements[0]?.Resource, { FunctionArn: ARN })).toEqual([ARN, `${ARN}/*`]);
  });

  it('embeds each shipped flow byte for byte, replacing only the placeholder ARN and the Map concurrency', () => {
    expect(flows.map((f) => f.file)).toEqual(FLOW_FILES.map((f) => f.file));
    for (const flow of flows) {
      const resource = flowsTemplate.Resources[flow.logicalId];
      expect(resource?.Type).toBe('ALIYUN::FNF::Flow');
      const [pairs, text] = (resource?.Properties['Definition'] as { 'Fn::Replace': [Record<string, unknown>, string] })['Fn::Replace'];
      expect(text).toBe(readText(`flows/${flow.file}`));
      expect(Object.keys(pairs).every((key) => [FUNCTION_ARN_PLACEHOLDER, MAX_CONCURRENCY_LINE].includes(key))).toBe(true);
      for (const key of Object.keys(pairs)) expect(text, `${flow.file} has ${key}`).toContain(key);
      const deployed = evaluate(flowsTemplate, resource?.Properties['Definition'], { FunctionArn: ARN, MapConcurrency: '7' }) as string;
      expect(deployed).toBe(substituteFlow(text, ARN, 7));
      expect(deployed).not.toContain('REGION:ACCOUNT_ID');
      expect(deployed).not.toContain(MAX_CONCURRENCY_LINE);
    }
  });

  it('deploys flows whose every Task invokes the function and whose Maps run at the chosen concurrency', () => {
    let maps = 0;
    for (const flow of flows) {
      const resource = flowsTemplate.Resources[flow.logicalId];
      const definition = parse(
        evaluate(flowsTemplate, resource?.Properties['Definition'], { FunctionArn: ARN, MapConcurrency: '7' }) as string,
      );
      expect(definition.Name).toBe(flow.name);
      expect(resource?.Properties['Name']).toBe(flow.name);
      expect(resource?.Properties['ExecutionMode']).toBe('Standard');
      expect(resource?.Properties['RoleArn']).toEqual({ 'Fn::GetAtt': ['FlowRole', 'Arn'] });
      const states = statesOf(definition);
      const tasks = states.filter((s) => s['Type'] === 'Task');
      expect(tasks.length, flow.file).toBeGreaterThan(0);
      for (const task of tasks) expect((task['Parameters'] as { resourceArn: string }).resourceArn).toBe(ARN);
      for (const map of states.filter((s) => s['Type'] === 'Map')) {
        maps += 1;
        expect(map['MaxConcurrency']).toBe(7);
      }
    }
    expect(flows.map((f) => f.name)).toEqual(['rotate-secret', 'rotate-many', 'rotate-due']);
    expect(maps).toBe(2);
  });

  it('schedules rotate-due daily with a six-field cron and a JSON payload naming the region and the tag key', () => {
    const schedule = flowsTemplate.Resources['DueSchedule'];
    expect(schedule?.Type).toBe('ALIYUN::FNF::Schedule');
    expect(schedule?.Properties['FlowName']).toEqual({ 'Fn::GetAtt': ['RotateDueFlow', 'Name'] });
    expect(flowsTemplate.Resources['RotateDueFlow']?.Properties['Name']).toBe('rotate-due');
    expect(schedule?.Properties['Enable']).toBe(true);
    const { spec } = loadSYaml();
    const cron = evaluate(flowsTemplate, schedule?.Properties['CronExpression'], {
      ScheduleCron: spec.vars.scheduleCron,
      ScheduleTimeZone: spec.vars.scheduleTimeZone,
    }) as string;
    expect(cron).toBe(`CRON_TZ=${spec.vars.scheduleTimeZone} ${spec.vars.scheduleCron}`);
    expect(cron.replace(/^CRON_TZ=\S+ /, '').split(' ')).toHaveLength(6);
    expect(evaluate(flowsTemplate, schedule?.Properties['CronExpression'], { ScheduleTimeZone: '' })).toBe('0 0 3 * * *');
    const payload = JSON.parse(
      evaluate(flowsTemplate, schedule?.Properties['Payload'], { RotationTagKey: 'rotate-me' }) as string,
    ) as unknown;
    expect(payload).toEqual({ RegionId: PSEUDO['ALIYUN::Region'], TagKey: 'rotate-me' });
  });

  it('alarms the contact group on failed executions of every rotation flow, and only when a group is named', () => {
    const alarm = flowsTemplate.Resources['FlowFailureAlarm'];
    expect(alarm?.Type).toBe('ALIYUN::CMS::ResourceMetricRule');
    expect(alarm?.Properties['MetricName']).toBe('ExecutionsFailed');
    expect(evaluate(flowsTemplate, alarm?.Properties['Namespace'])).toBe('acs_fnf');
    expect(evaluate(flowsTemplate, alarm?.Properties['Resources'])).toEqual(flows.map((f) => ({ flowName: `${f.logicalId}.Name` })));
    expect(evaluate(flowsTemplate, alarm?.Properties['ContactGroups'], { AlarmContactGroup: 'rotation-oncall' })).toEqual([
      'rotation-oncall',
    ]);
    const critical = (alarm?.Properties['Escalations'] as { Critical: { Threshold: string; ComparisonOperator: string } }).Critical;
    expect(critical).toMatchObject({ Threshold: '1', ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarm?.Condition).toBe('HasAlarm');
    expect(evaluate(flowsTemplate, flowsTemplate.Conditions?.['HasAlarm'], { AlarmContactGroup: '' })).toBe(false);
    expect(evaluate(flowsTemplate, flowsTemplate.Conditions?.['HasAlarm'], { AlarmContactGroup: 'rotation-oncall' })).toBe(true);
  });
});

// s.yaml: its shape, the order its references impose, the function settings the CONTRACT asks for,
// that every file it names exists (or, for ./dist, that `npm run build` writes there), and that the
// environment and parameters it passes are ones the function and the templates accept.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { FLOWS_TEMPLATE, FUNCTION_ROLE_TEMPLATE } from '../../src/local/deploy/generate.js';
import { MAX_MAP_CONCURRENCY } from '../../src/local/deploy/flows.js';
import { loadSYaml, loadTemplate, outputReferences, readText, resolveMagic, ROOT } from './support.js';

const { spec, raw } = loadSYaml();
const FUNCTION_ARN = 'acs:fc:cn-hangzhou:1234567890123456:functions/fc-secret-rotation';
const outputs = {
  rotation_roles: { stackId: 'stack-1', FunctionRoleArn: 'acs:ram::1234567890123456:role/fc-secret-rotation-role' },
  rotation_function: { functionArn: FUNCTION_ARN, functionName: 'fc-secret-rotation' },
};
const resolve = <T>(value: T): T => resolveMagic(value, { vars: spec.vars, outputs }) as T;
const fn = resolve(spec.resources.rotation_function.props);

/** Every variable the CONTRACT and the README name for the function. */
const FUNCTION_VARIABLES = [
  'KMS_ENDPOINT',
  'RDS_ENDPOINT',
  'EXCLUDE_CHARACTERS',
  'PASSWORD_LENGTH',
  'ACCOUNT_NAME_MAX_LENGTH',
  'MYSQL_CA_FILE',
  'ROTATION_TAG_KEY',
  'LOG_LEVEL',
];

describe('s.yaml', () => {
  it('is a Serverless Devs 3 project with the three resources, roles first and flows last', () => {
    expect(spec.edition).toBe('3.0.0');
    expect(Object.keys(raw['resources'] as object)).toEqual(['rotation_roles', 'rotation_function', 'rotation_flows']);
    expect(spec.resources.rotation_function.component).toBe('fc3');
  });

  it('refers only to outputs of resources declared before it, so the references give the deploy order', () => {
    const names = Object.keys(spec.resources);
    for (const [index, name] of names.entries()) {
      const refs = outputReferences(spec.resources[name as keyof typeof spec.resources]);
      for (const ref of refs) expect(names.indexOf(ref.resource), `${name} -> ${ref.resource}`).toBeLessThan(index);
    }
    expect(outputReferences(spec.resources.rotation_function)).toEqual([{ resource: 'rotation_roles', key: 'FunctionRoleArn' }]);
    // fc3's deploy output is the function's info, functionArn included.
    expect(outputReferences(spec.resources.rotation_flows)).toEqual([{ resource: 'rotation_function', key: 'functionArn' }]);
    expect(Object.keys(loadTemplate(FUNCTION_ROLE_TEMPLATE).Outputs ?? {})).toContain('FunctionRoleArn');
  });

  it('gives the function the CONTRACT settings: nodejs20, index.handler, ./dist, at least 120 s, memory in 64 MB steps', () => {
    expect(fn.runtime).toBe('nodejs20');
    expect(fn.handler).toBe('index.handler');
    expect(fn.code).toBe('./dist');
    expect(fn.timeout).toBeGreaterThanOrEqual(120);
    expect(fn.timeout).toBeLessThanOrEqual(86400);
    expect(Number(fn.memorySize) % 64).toBe(0);
    expect(fn.memorySize).toBeGreaterThanOrEqual(128);
    expect(fn.role).toBe(outputs.rotation_roles.FunctionRoleArn);
    expect(fn.functionName).toBe(spec.vars.functionName);
    expect(fn.vpcConfig).toEqual({ vpcId: spec.vars.vpcId, vSwitchIds: spec.vars.vSwitchIds, securityGroupId: spec.vars.securityGroupId });
  });

  it('builds the bundle before deploying it, into the directory code names, with the file the handler names', () => {
    expect(spec.resources.rotation_function.actions['pre-deploy']).toContainEqual({ run: 'npm run build', path: './' });
    const pkg = JSON.parse(readText('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['build']).toBe('node scripts/build.mjs');
    const build = readText('scripts/build.mjs');
    expect(build).toMatch(/outdir: \{ type: 'string', default: 'dist' \}/);
    expect(build).toContain("outfile: join(outdir, 'index.js')");
    expect(build).toContain("entryPoints: ['src/handler.ts']");
    expect(fn.code.replace(/^\.\//, '')).toBe('dist');
    const [file, exported] = fn.handler.split('.');
    expect(file).toBe('index');
    expect(readText('src/handler.ts')).toMatch(new RegExp(`export async function ${exported}\\(`));
  });

  it('names only files that exist', () => {
    for (const resource of [spec.resources.rotation_roles, spec.resources.rotation_flows]) {
      expect(existsSync(join(ROOT, resource.props.template)), resource.props.template).toBe(true);
    }
    expect([spec.resources.rotation_roles.props.template, spec.resources.rotation_flows.props.template]).toEqual([
      `./${FUNCTION_ROLE_TEMPLATE}`,
      `./${FLOWS_TEMPLATE}`,
    ]);
    const steps = [
      ...(spec.resources.rotation_roles.actions?.['pre-deploy'] ?? []),
      ...spec.resources.rotation_function.actions['pre-deploy'],
    ];
    for (const step of steps) expect(existsSync(join(ROOT, step.path)), step.path).toBe(true);
    // The first resource checks the templates are current, so a stale flows.yaml stops the deploy before anything changes.
    expect(spec.resources.rotation_roles.actions?.['pre-deploy'][0]?.run).toBe('node --import tsx src/local/deploy/generate.ts --check');
    expect(spec.resources.rotation_flows.actions).toBeUndefined();
    expect(existsSync(join(ROOT, 'src/local/deploy/generate.ts'))).toBe(true);
  });

  it('passes each template exactly the parameters it declares, every required one included, each in its allowed form', () => {
    for (const resource of [spec.resources.rotation_roles, spec.resources.rotation_flows]) {
      const template = loadTemplate(resource.props.template.replace(/^\.\//, ''));
      const passed = resolve(resource.props.parameters);
      const declared = Object.keys(template.Parameters);
      for (const name of Object.keys(passed)) expect(declared, resource.props.template).toContain(name);
      for (const [name, parameter] of Object.entries(template.Parameters)) {
        if (parameter.Default === undefined) expect(Object.keys(passed), `${resource.props.template} needs ${name}`).toContain(name);
        const value = passed[name];
        if (value !== undefined && parameter.AllowedPattern !== undefined) {
          expect(String(value), `${name}=${String(value)}`).toMatch(new RegExp(parameter.AllowedPattern));
        }
      }
    }
  });

  it('schedules a six-field cron, keeps Map concurrency within CloudFlow limit, and tells the alarm the contact group var', () => {
    expect(spec.vars.scheduleCron.split(' ')).toHaveLength(6);
    expect(spec.vars.mapConcurrency).toBeGreaterThanOrEqual(1);
    expect(spec.vars.mapConcurrency).toBeLessThanOrEqual(MAX_MAP_CONCURRENCY);
    const flows = spec.resources.rotation_flows.props.parameters;
    expect(flows['ScheduleCron']).toBe('${vars.scheduleCron}');
    expect(flows['ScheduleTimeZone']).toBe('${vars.scheduleTimeZone}');
    expect(flows['MapConcurrency']).toBe('${vars.mapConcurrency}');
    expect(flows['AlarmContactGroup']).toBe('${vars.alarmContactGroup}');
    expect(flows['FunctionArn']).toBe('${resources.rotation_function.output.functionArn}');
  });

  it('sets only function variables the CONTRACT names, and its defaults leave the CONTRACT defaults in force', () => {
    const env = fn.environmentVariables;
    for (const name of Object.keys(env)) expect(FUNCTION_VARIABLES, name).toContain(name);
    // Empty EXCLUDE_CHARACTERS would mean "exclude nothing", not the default: it is set only on purpose.
    expect(Object.keys(env)).not.toContain('EXCLUDE_CHARACTERS');
    expect(JSON.stringify(env).length).toBeLessThan(4096);
    const deployed = loadConfig(env);
    const defaults = loadConfig({});
    expect(deployed.kmsEndpoint(spec.vars.region)).toEqual(defaults.kmsEndpoint(spec.vars.region));
    expect(deployed.rdsEndpoint).toEqual(defaults.rdsEndpoint);
    expect(deployed.excludeCharacters).toBe(defaults.excludeCharacters);
    expect(deployed.passwordLength).toBe(defaults.passwordLength);
    expect(deployed.rotationTagKey).toBe(spec.vars.rotationTagKey);
  });

  it('uses one rotation tag key for the function and the schedule', () => {
    expect(spec.resources.rotation_function.props.environmentVariables['ROTATION_TAG_KEY']).toBe('${vars.rotationTagKey}');
    expect(spec.resources.rotation_flows.props.parameters['RotationTagKey']).toBe('${vars.rotationTagKey}');
  });
});

// Test support for the deployment files: s.yaml read through a zod schema of the shape we ship, its
// Serverless Devs magic variables resolved as `s` would (${vars.x}, ${resources.a.output.b}), and a small
// evaluator of the ROS intrinsic functions the templates use, so tests can check what ROS would create.
// Offline: `s` validates props only after downloading components, so these checks stand in for it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from '../../src/local/deploy/generate.js';

export const ROOT = REPO_ROOT;
export const readText = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const magic = z.string().regex(/^\$\{[^}]+\}$/, 'a magic variable');
const preDeploy = z
  .object({ 'pre-deploy': z.array(z.object({ run: z.string().min(1), path: z.string().min(1) }).strict()).min(1) })
  .strict();

const vars = z
  .object({
    region: z.string().regex(/^[a-z]{2}-[a-z0-9-]+$/),
    functionName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/),
    memorySize: z.number().int().min(128).max(32768).multipleOf(64),
    timeout: z.number().int().min(120).max(86400),
    vpcId: z.string().startsWith('vpc-'),
    vSwitchIds: z.array(z.string().startsWith('vsw-')).min(1),
    securityGroupId: z.string().startsWith('sg-'),
    internetAccess: z.boolean(),
    logConfig: z.union([z.literal('auto'), z.object({ project: z.string(), logstore: z.string() }).loose()]),
    rotationTagKey: z.string().min(1),
    secretNamePrefix: z.string(),
    scheduleCron: z.string(),
    scheduleTimeZone: z.string(),
    mapConcurrency: z.number().int().min(1).max(40),
    alarmContactGroup: z.string(),
    kmsEndpoint: z.string(),
    rdsEndpoint: z.string(),
    logLevel: z.enum(['info', 'debug']),
  })
  .strict();

const rosResource = z
  .object({
    component: z.literal('ros'),
    actions: preDeploy.optional(),
    props: z
      .object({
        region: z.string(),
        name: z.string(),
        template: z.string().startsWith('./deploy/'),
        parameters: z.record(z.string(), z.unknown()),
      })
      .strict(),
  })
  .strict();

const fc3Resource = z
  .object({
    component: z.literal('fc3'),
    actions: preDeploy,
    props: z
      .object({
        region: z.string(),
        functionName: z.string(),
        description: z.string(),
        runtime: z.string(),
        code: z.string(),
        handler: z.string(),
        memorySize: z.union([z.number(), magic]),
        timeout: z.union([z.number(), magic]),
        role: magic,
        internetAccess: z.union([z.boolean(), magic]),
        vpcConfig: z.object({ vpcId: z.string(), vSwitchIds: z.union([z.array(z.string()), magic]), securityGroupId: z.string() }).strict(),
        logConfig: z.unknown(),
        environmentVariables: z.record(z.string(), z.string()),
      })
      .strict(),
  })
  .strict();

export const sYamlSchema = z
  .object({
    edition: z.literal('3.0.0'),
    name: z.string().min(1),
    access: z.string().min(1),
    vars,
    resources: z.object({ rotation_roles: rosResource, rotation_function: fc3Resource, rotation_flows: rosResource }).strict(),
  })
  .strict();

export type SYaml = z.infer<typeof sYamlSchema>;

/** s.yaml as written: parsed, checked against the shape, resource order kept. */
export function loadSYaml(): { spec: SYaml; raw: Record<string, unknown> } {
  const raw = parse(readText('s.yaml')) as Record<string, unknown>;
  return { spec: sYamlSchema.parse(raw), raw };
}

/** Every `${resources.<name>.output.<key>}` a value refers to. */
export function outputReferences(value: unknown): { resource: string; key: string }[] {
  const text = JSON.stringify(value);
  return [...text.matchAll(/\$\{resources\.([A-Za-z0-9_]+)\.output\.([A-Za-z0-9_]+)\}/g)].map((m) => ({
    resource: m[1] ?? '',
    key: m[2] ?? '',
  }));
}

/** Resolves magic variables as `s` does: a value that is one variable keeps the variable's type; inline ones are text. */
export function resolveMagic(
  value: unknown,
  context: { vars: Record<string, unknown>; outputs: Record<string, Record<string, unknown>> },
): unknown {
  const lookup = (expression: string): unknown => {
    const varMatch = /^vars\.([A-Za-z0-9_]+)$/.exec(expression);
    if (varMatch?.[1] !== undefined && varMatch[1] in context.vars) return context.vars[varMatch[1]];
    const outMatch = /^resources\.([A-Za-z0-9_]+)\.output\.([A-Za-z0-9_]+)$/.exec(expression);
    const output = outMatch?.[1] !== undefined && outMatch[2] !== undefined ? context.outputs[outMatch[1]]?.[outMatch[2]] : undefined;
    if (output !== undefined) return output;
    throw new Error(`unresolved magic variable \${${expression}}`);
  };
  if (typeof value === 'string') {
    const whole = /^\$\{([^}]+)\}$/.exec(value);
    if (whole?.[1] !== undefined) return lookup(whole[1]);
    return value.replace(/\$\{([^}]+)\}/g, (_, expression: string) => String(lookup(expression)));
  }
  if (Array.isArray(value)) return value.map((item) => resolveMagic(item, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveMagic(item, context)]));
  }
  return value;
}

export type Template = {
  ROSTemplateFormatVersion: string;
  Parameters: Record<string, { Type: string; Default?: string; AllowedPattern?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown }>;
};

/** A template as a YAML 1.1 reader (ROS's) takes it. */
export const loadTemplate = (path: string, version: '1.1' | '1.2' = '1.1'): Template => parse(readText(path), { version }) as Template;

/** The intrinsic functions the templates may use: each confirmed in the ROS docs and evaluated below. */
export const KNOWN_INTRINSICS = ['Ref', 'Fn::Sub', 'Fn::Replace', 'Fn::GetAtt', 'Fn::If', 'Fn::Not', 'Fn::Equals'] as const;

export const PSEUDO = {
  'ALIYUN::Region': 'cn-hangzhou',
  'ALIYUN::TenantId': '1234567890123456',
  'ALIYUN::StackName': 'fc-secret-rotation-flows',
};

/** Evaluates ROS intrinsics with the given parameter values (else the defaults); Fn::GetAtt yields "<Resource>.<Attribute>". */
export function evaluate(template: Template, value: unknown, parameters: Record<string, string> = {}): unknown {
  const param = (name: string): string => {
    if (name in PSEUDO) return PSEUDO[name as keyof typeof PSEUDO];
    const declared = template.Parameters[name];
    if (declared === undefined) throw new Error(`Ref to undeclared ${name}`);
    const given = parameters[name] ?? declared.Default;
    if (given === undefined) throw new Error(`no value for parameter ${name}`);
    return given;
  };
  const attribute = (resource: string, attr: string): string => {
    if (template.Resources[resource] === undefined) throw new Error(`Fn::GetAtt of unknown resource ${resource}`);
    return `${resource}.${attr}`;
  };
  const condition = (name: string): boolean => {
    const body = template.Conditions?.[name];
    if (body === undefined) throw new Error(`unknown condition ${name}`);
    return Boolean(evaluate(template, body, parameters));
  };
  const run = (item: unknown): unknown => evaluate(template, item, parameters);
  if (Array.isArray(value)) return value.map(run);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [key, arg] = entries[0] ?? [];
  if (entries.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
    switch (key) {
      case 'Ref':
        return param(String(arg));
      case 'Fn::Sub':
        return String(arg).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          const [resource, attr] = name.split('.');
          return attr !== undefined && resource !== undefined && !name.includes('::') ? attribute(resource, attr) : param(name);
        });
      case 'Fn::GetAtt': {
        const [resource, attr] = arg as [string, string];
        return attribute(resource, attr);
      }
      case 'Fn::Replace': {
        const [pairs, text] = arg as [Record<string, unknown>, unknown];
        return Object.entries(pairs).reduce((acc, [from, to]) => acc.replaceAll(from, String(run(to))), String(run(text)));
      }
      case 'Fn::If': {
        const [name, yes, no] = arg as [string, unknown, unknown];
        return condition(name) ? run(yes) : run(no);
      }
      case 'Fn::Not':
        return !(run((arg as unknown[])[0]) as boolean);
      case 'Fn::Equals': {
        const [a, b] = (arg as unknown[]).map(run);
        return a === b;
      }
      default:
        throw new Error(`unknown intrinsic ${key}`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, run(v)]));
}

/** Every intrinsic function name (`Ref`, `Fn::...`) used anywhere in a value. */
export function intrinsicsUsed(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => intrinsicsUsed(item, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'Ref' || key.startsWith('Fn::')) found.add(key);
      intrinsicsUsed(item, found);
    }
  }
  return found;
}

/** The RAM statements of a role resource's first inline policy. */
export function statementsOf(role: { Properties: Record<string, unknown> }): { Effect: string; Action: string[]; Resource: unknown[] }[] {
  const policies = role.Properties['Policies'] as {
    PolicyDocument: { Statement: { Effect: string; Action: string[]; Resource: unknown[] }[] };
  }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

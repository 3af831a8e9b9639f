// The two ROS templates s.yaml deploys, as plain objects: deploy/function-role.yaml (the function's RAM
// role, KMS and RDS actions only) and deploy/flows.yaml (the flows' role, the three flows embedded from
// flows/, the daily schedule of rotate-due, the alarm on failed executions). generate.ts writes them;
// tests read the written files. Nothing here talks to a cloud.
import { MAX_CONCURRENCY_LINE, MAX_MAP_CONCURRENCY, FUNCTION_ARN_PLACEHOLDER, SCHEDULED_FLOW_FILE, type ShippedFlow } from './flows.js';
import { FLOW_RAM_ACTIONS, FUNCTION_RDS_ACTIONS, ramAction, SECRET_SCOPED_KMS_ACTIONS } from './ram-actions.js';

export type Template = Record<string, unknown>;

export const ROS_VERSION = '2015-09-01';
export const FUNCTION_TRUSTED_SERVICE = 'fc.aliyuncs.com';
export const FLOW_TRUSTED_SERVICE = 'fnf.aliyuncs.com';

/** Best documented: CloudMonitor lists CloudFlow (formerly Serverless Workflow) as acs_fnf/functionflow. Unconfirmed for alarms. */
export const DEFAULT_ALARM_NAMESPACE = 'acs_fnf';
/** CloudFlow reports ExecutionsFailed (also Started, Succeeded, TimedOut) to CloudMonitor. */
export const ALARM_METRIC = 'ExecutionsFailed';
/** The dimension naming one flow: unconfirmed (CloudMonitor's other services name theirs in camelCase, e.g. instanceId). */
export const ALARM_FLOW_DIMENSION = 'flowName';

const ref = (name: string) => ({ Ref: name });
const sub = (text: string) => ({ 'Fn::Sub': text });
const getAtt = (resource: string, attribute: string) => ({ 'Fn::GetAtt': [resource, attribute] });

const trustPolicy = (service: string) => ({
  Version: '1',
  Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: [service] } }],
});

/** RAM role names: letters, digits, periods and hyphens, at most 64 (older docs also allow underscores; this asks for less). */
const roleNameParameter = (description: string) => ({
  Type: 'String',
  Description: description,
  AllowedPattern: '^[A-Za-z0-9.-]{1,64}$',
  ConstraintDescription: 'letters, digits, periods and hyphens, at most 64 characters',
});

const header = (description: string) => ({ ROSTemplateFormatVersion: ROS_VERSION, Description: description });

export function functionRoleTemplate(): Template {
  const region = '${ALIYUN::Region}';
  // ALIYUN::TenantId is the Alibaba Cloud account that owns the resources (ALIYUN::AccountId is the executor's).
  const account = '${ALIYUN::TenantId}';
  return {
    ...header('The RAM role of fc-secret-rotation: the KMS and RDS actions it calls, on this region and account only.'),
    Parameters: {
      FunctionRoleName: roleNameParameter('The RAM role the function runs as.'),
      SecretNamePrefix: {
        Type: 'String',
        Default: '',
        Description:
          'Scopes every per-secret KMS action to secrets whose names start with this prefix (master secrets included); empty: every secret of the region.',
        AllowedPattern: '^[A-Za-z0-9_/+=.@-]{0,64}$',
      },
    },
    Resources: {
      FunctionRole: {
        Type: 'ALIYUN::RAM::Role',
        Properties: {
          RoleName: ref('FunctionRoleName'),
          Description: 'fc-secret-rotation: rotates KMS generic secrets and the database accounts they hold.',
          AssumeRolePolicyDocument: trustPolicy(FUNCTION_TRUSTED_SERVICE),
          Policies: [
            {
              PolicyName: sub('${FunctionRoleName}-policy'),
              PolicyDocument: {
                Version: '1',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: SECRET_SCOPED_KMS_ACTIONS.map((api) => ramAction('kms', api)),
                    Resource: [sub(`acs:kms:${region}:${account}:secret/\${SecretNamePrefix}*`)],
                  },
                  {
                    // A list action: KMS authorizes it on the secret container; the secret ARNs cover the other reading.
                    Effect: 'Allow',
                    Action: [ramAction('kms', 'ListSecrets')],
                    Resource: [sub(`acs:kms:${region}:${account}:secret`), sub(`acs:kms:${region}:${account}:secret/*`)],
                  },
                  {
                    Effect: 'Allow',
                    Action: FUNCTION_RDS_ACTIONS.map((api) => ramAction('rds', api)),
                    Resource: [sub(`acs:rds:${region}:${account}:dbinstance/*`)],
                  },
                ],
              },
            },
          ],
        },
      },
    },
    Outputs: {
      FunctionRoleArn: { Description: 'The role fc3 gives the function.', Value: getAtt('FunctionRole', 'Arn') },
    },
  };
}

function flowResource(flow: ShippedFlow): Template {
  const replacements: Record<string, unknown> = { [FUNCTION_ARN_PLACEHOLDER]: ref('FunctionArn') };
  if (flow.replaces.maxConcurrency) replacements[MAX_CONCURRENCY_LINE] = sub('MaxConcurrency: ${MapConcurrency}');
  return {
    Type: 'ALIYUN::FNF::Flow',
    Properties: {
      Name: flow.name,
      Description: flow.description ?? `fc-secret-rotation: ${flow.name}`,
      ExecutionMode: 'Standard',
      RoleArn: getAtt('FlowRole', 'Arn'),
      Definition: { 'Fn::Replace': [replacements, flow.text] },
    },
  };
}

export function flowsTemplate(flows: readonly ShippedFlow[]): Template {
  const scheduled = flows.find((flow) => flow.file === SCHEDULED_FLOW_FILE);
  if (scheduled === undefined) throw new Error(`flows/${SCHEDULED_FLOW_FILE} is missing`);
  return {
    ...header('The CloudFlow flows of fc-secret-rotation, their RAM role, the daily rotate-due schedule and the failed-execution alarm.'),
    Parameters: {
      FunctionArn: {
        Type: 'String',
        Description: "The function's ARN (the fc3 deploy output functionArn); every Task invokes it.",
        AllowedPattern: '^acs:fc:[a-z0-9-]+:[0-9]+:functions/[A-Za-z_][A-Za-z0-9_-]{0,127}$',
      },
      FlowRoleName: roleNameParameter('The RAM role the flows run as: fc:InvokeFunction on the function only.'),
      MapConcurrency: {
        Type: 'String',
        Default: '10',
        Description: `How many secrets rotate-many and rotate-due rotate at once (1-${MAX_MAP_CONCURRENCY}).`,
        AllowedPattern: '^([1-9]|[1-3][0-9]|40)$',
      },
      RotationTagKey: {
        Type: 'String',
        Default: 'fc-rotation',
        Description: 'The tag rotate-due looks for; its value is the interval (30d, 12h).',
        AllowedPattern: '^[A-Za-z0-9_.:/=+@-]{1,119}$',
      },
      ScheduleCron: {
        Type: 'String',
        Default: '0 0 3 * * *',
        Description: 'When rotate-due runs: six fields, seconds first.',
        AllowedPattern: '^[0-9*?,/LW#A-Z-]+( [0-9*?,/LW#A-Z-]+){5}$',
      },
      ScheduleTimeZone: {
        Type: 'String',
        Default: 'Asia/Shanghai',
        Description: 'IANA time zone of ScheduleCron (prefixed as CRON_TZ=); empty: UTC, with no prefix.',
        AllowedPattern: '^([A-Za-z_]+(/[A-Za-z0-9_+-]+)*)?$',
      },
      AlarmContactGroup: {
        Type: 'String',
        Default: '',
        Description: 'CloudMonitor alarm contact group told of failed rotation executions; empty: no alarm.',
      },
      AlarmNamespace: {
        Type: 'String',
        Default: DEFAULT_ALARM_NAMESPACE,
        Description: "CloudMonitor namespace of CloudFlow's execution metrics.",
      },
      AlarmStatistics: {
        Type: 'String',
        Default: 'Maximum',
        Description: `Statistic of ${ALARM_METRIC} per period the alarm compares with 1.`,
      },
    },
    Conditions: {
      HasTimeZone: { 'Fn::Not': [{ 'Fn::Equals': ['', ref('ScheduleTimeZone')] }] },
      HasAlarm: { 'Fn::Not': [{ 'Fn::Equals': ['', ref('AlarmContactGroup')] }] },
    },
    Resources: {
      FlowRole: {
        Type: 'ALIYUN::RAM::Role',
        Properties: {
          RoleName: ref('FlowRoleName'),
          Description: 'fc-secret-rotation flows: invoke the rotation function, nothing else.',
          AssumeRolePolicyDocument: trustPolicy(FLOW_TRUSTED_SERVICE),
          Policies: [
            {
              PolicyName: sub('${FlowRoleName}-invoke'),
              PolicyDocument: {
                Version: '1',
                Statement: [{ Effect: 'Allow', Action: [...FLOW_RAM_ACTIONS], Resource: [ref('FunctionArn'), sub('${FunctionArn}/*')] }],
              },
            },
          ],
        },
      },
      ...Object.fromEntries(flows.map((flow) => [flow.logicalId, flowResource(flow)])),
      DueSchedule: {
        Type: 'ALIYUN::FNF::Schedule',
        Properties: {
          FlowName: getAtt(scheduled.logicalId, 'Name'),
          ScheduleName: `${scheduled.name}-daily`,
          Description: 'Rotates every tagged secret that is due.',
          CronExpression: {
            'Fn::If': ['HasTimeZone', sub('CRON_TZ=${ScheduleTimeZone} ${ScheduleCron}'), ref('ScheduleCron')],
          },
          Payload: sub('{"RegionId":"${ALIYUN::Region}","TagKey":"${RotationTagKey}"}'),
          Enable: true,
        },
      },
      FlowFailureAlarm: {
        Type: 'ALIYUN::CMS::ResourceMetricRule',
        Condition: 'HasAlarm',
        Properties: {
          RuleId: sub('${ALIYUN::StackName}-flow-failures'),
          RuleName: sub('${ALIYUN::StackName}-flow-failures'),
          Namespace: ref('AlarmNamespace'),
          MetricName: ALARM_METRIC,
          Resources: flows.map((flow) => ({ [ALARM_FLOW_DIMENSION]: getAtt(flow.logicalId, 'Name') })),
          Period: 60,
          SilenceTime: 3600,
          Escalations: {
            Critical: { Statistics: ref('AlarmStatistics'), ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: '1', Times: 1 },
          },
          ContactGroups: [ref('AlarmContactGroup')],
        },
      },
    },
    Outputs: {
      FlowRoleArn: { Value: getAtt('FlowRole', 'Arn') },
      ...Object.fromEntries(flows.map((flow) => [`${flow.logicalId}Name`, { Value: getAtt(flow.logicalId, 'Name') }])),
      ScheduleName: { Value: getAtt('DueSchedule', 'ScheduleName') },
    },
  };
}

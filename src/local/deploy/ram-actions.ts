// The API actions the function calls, and so the only RAM actions its role is granted (README: RAM
// permissions). The generator writes them into deploy/function-role.yaml; tests compare the template
// with this list, and this list with the actions the emulators actually served. Never a wildcard:
// the function neither deletes accounts nor secrets, nor reads any secret it does not rotate.

/** KMS Secrets Manager (2016-01-20) actions the steps call; ListSecrets only in the read-only `discover` step. */
export const FUNCTION_KMS_ACTIONS = [
  'GetSecretValue',
  'PutSecretValue',
  'ListSecretVersionIds',
  'UpdateSecretVersionStage',
  'ListSecrets',
] as const;

/** ApsaraDB RDS (2014-08-15) actions the RDS API backend calls. */
export const FUNCTION_RDS_ACTIONS = [
  'DescribeDBInstanceAttribute',
  'DescribeAccounts',
  'CreateAccount',
  'ResetAccountPassword',
  'GrantAccountPrivilege',
  'RevokeAccountPrivilege',
  'DescribeDBInstanceNetInfo',
] as const;

/** KMS actions that work on one secret, so RAM can scope them to `secret/<name>`. */
export const SECRET_SCOPED_KMS_ACTIONS = FUNCTION_KMS_ACTIONS.filter((action) => action !== 'ListSecrets');

/** The API actions by service, as an emulator reports the calls it served. */
export const FUNCTION_API_ACTIONS: Readonly<Record<'kms' | 'rds', readonly string[]>> = {
  kms: FUNCTION_KMS_ACTIONS,
  rds: FUNCTION_RDS_ACTIONS,
};

/** RAM spells an action `<service>:<ApiName>`. */
export const ramAction = (service: 'kms' | 'rds' | 'fc', api: string): string => `${service}:${api}`;

/** Every RAM action of the function's role, exactly. */
export const FUNCTION_RAM_ACTIONS: readonly string[] = [
  ...FUNCTION_KMS_ACTIONS.map((api) => ramAction('kms', api)),
  ...FUNCTION_RDS_ACTIONS.map((api) => ramAction('rds', api)),
];

/** Every RAM action of the flows' role: CloudFlow only invokes the function. */
export const FLOW_RAM_ACTIONS: readonly string[] = [ramAction('fc', 'InvokeFunction')];

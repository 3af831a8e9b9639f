/**
 * The RDS account API (2014-08-15) as the RDS backend needs it, over @alicloud/rds20140815.
 * Responses are narrowed with zod at this edge: every answer the backend relies on must carry the
 * fields it uses (the mutating calls, which Alibaba documents as answering only RequestId, at least
 * that), and one without them is a TransientError naming the action and the instance. SDK errors
 * become named errors by code only (their messages may quote the request). A call answered with
 * throttling is retried a few times first (src/alibaba/throttle.ts). Never logs; never sees KMS.
 */
import * as openapiCore from '@alicloud/openapi-core';
import * as rdsSdk from '@alicloud/rds20140815';
import { z } from 'zod';
import { cloudErrorInfo, isSdkCastError, toRotationError } from '../../alibaba/errors.js';
import type { Endpoint } from '../../config.js';
import type { CloudCredentials } from '../../alibaba/credentials.js';
import { InvalidEventError, TransientError } from '../../errors.js';
import { sdkClass } from '../../alibaba/interop.js';
import { retryThrottled } from '../../alibaba/throttle.js';
import { AccountNotReadyError } from './errors.js';

export interface RdsPrivilege {
  dbName: string;
  /** ReadWrite | ReadOnly | DDLOnly | DMLOnly | DBOwner | Custom ... */
  privilege: string;
}

export interface RdsAccount {
  name: string;
  status: string;
  type: string;
  privileges: RdsPrivilege[];
}

export interface RdsInstanceInfo {
  engine: string;
  engineVersion: string;
  /**
   * DescribeDBInstanceAttribute's ConnectionString and Port, which the API reference documents as the
   * internal endpoint and port; left out where the answer has none or says its network type is not
   * Intranet, and then the backend asks DescribeDBInstanceNetInfo.
   */
  intranetAddress?: RdsAddress | undefined;
}

export interface RdsAddress {
  host: string;
  port: number;
}

/** The port the RDS backend talks to: one method per API action it uses. */
export interface RdsAccountsApi {
  describeAccount(instanceId: string, accountName: string): Promise<RdsAccount | undefined>;
  /**
   * Several accounts with as few calls as can be: one name is described by name, more by one listing of
   * every account (DescribeAccounts without AccountName, the largest page). A name not listed is absent.
   * Optional for in-memory ports: without it the backend describes each name on its own.
   */
  describeAccounts?(instanceId: string, accountNames: readonly string[]): Promise<Map<string, RdsAccount>>;
  createAccount(
    instanceId: string,
    account: { name: string; password: string; type: string; description: string },
  ): Promise<'created' | 'exists'>;
  resetPassword(instanceId: string, accountName: string, password: string): Promise<void>;
  grant(instanceId: string, accountName: string, privileges: RdsPrivilege[]): Promise<void>;
  revoke(instanceId: string, accountName: string, dbNames: string[]): Promise<void>;
  instanceInfo(instanceId: string): Promise<RdsInstanceInfo>;
  /** The VPC (or classic intranet) address, when the instance has one. */
  intranetAddress(instanceId: string): Promise<RdsAddress | undefined>;
}

/** GrantAccountPrivilege's lists, as the client sends them (and a dry run shows them): one call for every database. */
export function grantParams(privileges: readonly RdsPrivilege[]): { DBName: string; AccountPrivilege: string } {
  return { DBName: privileges.map((p) => p.dbName).join(','), AccountPrivilege: privileges.map((p) => p.privilege).join(',') };
}

/** RevokeAccountPrivilege's list, as the client sends it. */
export function revokeParams(dbNames: readonly string[]): { DBName: string } {
  return { DBName: dbNames.join(',') };
}

// The SDK's response models, camelCased as the SDK names their fields; every container the backend reads is required.
const AccountsBody = z.object({
  // The Accounts object is required; its list may be left out when no account matches the filter.
  accounts: z.object({
    DBInstanceAccount: z
      .array(
        z.object({
          accountName: z.string(),
          // No default: an account whose status is not reported is not taken for Available.
          accountStatus: z.string().default('Unknown'),
          accountType: z.string(),
          databasePrivileges: z
            .object({ databasePrivilege: z.array(z.object({ DBName: z.string(), accountPrivilege: z.string() })).default([]) })
            .optional(),
        }),
      )
      .default([]),
  }),
  // Documented; only read when the listing of every account spans more than one page.
  totalRecordCount: z.coerce.number().optional(),
});

const AttributeBody = z.object({
  items: z.object({
    DBInstanceAttribute: z
      .array(
        z.object({
          engine: z.string(),
          engineVersion: z.string(),
          // Optional extras: an address the answer gives oddly is no address (NetInfo is asked), not a malformed answer.
          connectionString: z.string().optional().catch(undefined),
          port: z.coerce.number().int().positive().optional().catch(undefined),
          DBInstanceNetType: z.string().optional().catch(undefined),
        }),
      )
      .min(1),
  }),
});

const NetInfoBody = z.object({
  DBInstanceNetInfos: z.object({
    DBInstanceNetInfo: z.array(
      z.object({
        connectionString: z.string().optional(),
        IPAddress: z.string().optional(),
        IPType: z.string().optional(),
        port: z.coerce.number().optional(),
      }),
    ),
  }),
});

/** CreateAccount, ResetAccountPassword, GrantAccountPrivilege and RevokeAccountPrivilege document RequestId alone. */
const RequestIdBody = z.object({ requestId: z.string() });

/** A success that is not one: worth retrying. Names the action and the instance, never a value. */
function malformedAnswer(action: string, instanceId: string): TransientError {
  return new TransientError(`RDS ${action} on instance ${instanceId} answered without the expected fields`);
}

function mapError(err: unknown, action: string, instanceId: string): Error {
  if (isSdkCastError(err)) return malformedAnswer(action, instanceId);
  const code = cloudErrorInfo(err).code;
  if (code === 'IncorrectAccountStatus') {
    return new AccountNotReadyError(
      `RDS ${action} on instance ${instanceId} failed: the account is not Available yet (IncorrectAccountStatus)`,
    );
  }
  if (code === 'InvalidDBInstanceId.NotFound') {
    return new InvalidEventError(`InstanceId: RDS instance ${instanceId} does not exist in this region (RDS ${action})`);
  }
  return toRotationError(err, `RDS ${action} on instance ${instanceId}`);
}

/** The answer's body narrowed by `schema`; anything else is a malformed answer. */
function checked<T>(action: string, instanceId: string, response: { body?: unknown }, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(response.body);
  if (!parsed.success) throw malformedAnswer(action, instanceId);
  return parsed.data;
}

type AccountEntry = z.infer<typeof AccountsBody>['accounts']['DBInstanceAccount'][number];

/** DescribeAccounts' largest page (30–200), and how many pages a listing may take (RDS allows far fewer accounts). */
const ACCOUNTS_PAGE_SIZE = 200;
const MAX_ACCOUNT_PAGES = 10;

/** The named accounts among `entries`. The same account listed twice, the copies differing (a lagging cache): neither can be trusted. */
function pick(instanceId: string, entries: readonly AccountEntry[], names: readonly string[]): Map<string, RdsAccount> {
  const found = new Map<string, RdsAccount>();
  for (const name of names) {
    const copies = entries
      .filter((a) => a.accountName === name)
      .map((a) => ({
        name: a.accountName,
        status: a.accountStatus,
        type: a.accountType,
        privileges: (a.databasePrivileges?.databasePrivilege ?? []).map((p) => ({ dbName: p.DBName, privilege: p.accountPrivilege })),
      }));
    if (copies.some((copy) => JSON.stringify(copy) !== JSON.stringify(copies[0]))) {
      throw new TransientError(`RDS DescribeAccounts on instance ${instanceId} listed the account more than once, the copies differing`);
    }
    if (copies[0]) found.set(name, copies[0]);
  }
  return found;
}

const CONNECT_TIMEOUT_MS = 5_000;
const READ_TIMEOUT_MS = 15_000;

export class RdsClient implements RdsAccountsApi {
  private readonly sdk: InstanceType<typeof rdsSdk.default.default>;

  /** Without an endpoint the SDK picks the region's own (HTTPS). */
  constructor(options: { endpoint: Endpoint | undefined; regionId: string; credentials: CloudCredentials }) {
    this.sdk = new (sdkClass(rdsSdk))(
      new openapiCore.$OpenApiUtil.Config({
        ...(options.endpoint ? { endpoint: options.endpoint.host, protocol: options.endpoint.protocol } : { protocol: 'https' }),
        regionId: options.regionId,
        connectTimeout: CONNECT_TIMEOUT_MS,
        readTimeout: READ_TIMEOUT_MS,
        ...options.credentials,
      }),
    );
  }

  private async call<T>(action: string, instanceId: string, run: () => Promise<{ body?: unknown }>, schema: z.ZodType<T>): Promise<T> {
    let response: { body?: unknown };
    try {
      response = await retryThrottled(`RDS ${action}`, run);
    } catch (err) {
      throw mapError(err, action, instanceId);
    }
    return checked(action, instanceId, response, schema);
  }

  async describeAccount(instanceId: string, accountName: string): Promise<RdsAccount | undefined> {
    const body = await this.call(
      'DescribeAccounts',
      instanceId,
      () => this.sdk.describeAccounts(new rdsSdk.DescribeAccountsRequest({ DBInstanceId: instanceId, accountName })),
      AccountsBody,
    );
    return pick(instanceId, body.accounts.DBInstanceAccount, [accountName]).get(accountName);
  }

  async describeAccounts(instanceId: string, accountNames: readonly string[]): Promise<Map<string, RdsAccount>> {
    if (accountNames.length === 1) {
      const name = accountNames[0]!;
      const found = await this.describeAccount(instanceId, name);
      return new Map(found ? [[name, found]] : []);
    }
    const listed: AccountEntry[] = [];
    for (let page = 1; ; page++) {
      const body = await this.call(
        'DescribeAccounts',
        instanceId,
        () =>
          this.sdk.describeAccounts(
            new rdsSdk.DescribeAccountsRequest({ DBInstanceId: instanceId, pageNumber: page, pageSize: ACCOUNTS_PAGE_SIZE }),
          ),
        AccountsBody,
      );
      const entries = body.accounts.DBInstanceAccount;
      listed.push(...entries);
      const total = body.totalRecordCount;
      // A page short of full, or no count to go by, is the last; a count beyond what came needs the next page.
      if (entries.length === 0 || total === undefined || total <= page * ACCOUNTS_PAGE_SIZE || entries.length < ACCOUNTS_PAGE_SIZE) break;
      if (page >= MAX_ACCOUNT_PAGES) throw malformedAnswer('DescribeAccounts', instanceId);
    }
    return pick(instanceId, listed, accountNames);
  }

  async createAccount(
    instanceId: string,
    account: { name: string; password: string; type: string; description: string },
  ): Promise<'created' | 'exists'> {
    let response: { body?: unknown };
    try {
      // A throttled CreateAccount was refused unapplied; a lost answer shows up as Duplicate on the step's retry.
      response = await retryThrottled('RDS CreateAccount', () =>
        this.sdk.createAccount(
          new rdsSdk.CreateAccountRequest({
            DBInstanceId: instanceId,
            accountName: account.name,
            accountPassword: account.password,
            accountType: account.type,
            accountDescription: account.description,
          }),
        ),
      );
    } catch (err) {
      // A retry whose first attempt was applied but whose answer was lost.
      if (cloudErrorInfo(err).code === 'InvalidAccountName.Duplicate') return 'exists';
      throw mapError(err, 'CreateAccount', instanceId);
    }
    checked('CreateAccount', instanceId, response, RequestIdBody);
    return 'created';
  }

  async resetPassword(instanceId: string, accountName: string, password: string): Promise<void> {
    await this.call(
      'ResetAccountPassword',
      instanceId,
      () =>
        this.sdk.resetAccountPassword(
          new rdsSdk.ResetAccountPasswordRequest({ DBInstanceId: instanceId, accountName, accountPassword: password }),
        ),
      RequestIdBody,
    );
  }

  async grant(instanceId: string, accountName: string, privileges: RdsPrivilege[]): Promise<void> {
    if (privileges.length === 0) return;
    const lists = grantParams(privileges);
    await this.call(
      'GrantAccountPrivilege',
      instanceId,
      () =>
        this.sdk.grantAccountPrivilege(
          new rdsSdk.GrantAccountPrivilegeRequest({
            DBInstanceId: instanceId,
            accountName,
            // One call for every database: the API pairs the comma-separated lists by position.
            DBName: lists.DBName,
            accountPrivilege: lists.AccountPrivilege,
          }),
        ),
      RequestIdBody,
    );
  }

  async revoke(instanceId: string, accountName: string, dbNames: string[]): Promise<void> {
    if (dbNames.length === 0) return;
    await this.call(
      'RevokeAccountPrivilege',
      instanceId,
      () =>
        this.sdk.revokeAccountPrivilege(
          new rdsSdk.RevokeAccountPrivilegeRequest({ DBInstanceId: instanceId, accountName, DBName: revokeParams(dbNames).DBName }),
        ),
      RequestIdBody,
    );
  }

  async instanceInfo(instanceId: string): Promise<RdsInstanceInfo> {
    const body = await this.call(
      'DescribeDBInstanceAttribute',
      instanceId,
      () => this.sdk.describeDBInstanceAttribute(new rdsSdk.DescribeDBInstanceAttributeRequest({ DBInstanceId: instanceId })),
      AttributeBody,
    );
    const first = body.items.DBInstanceAttribute[0]!;
    // Documented as the internal endpoint; an answer that says otherwise is not trusted for a login from the VPC.
    const internal = first.DBInstanceNetType === undefined || first.DBInstanceNetType === 'Intranet';
    const intranetAddress =
      internal && first.connectionString && first.port ? { host: first.connectionString, port: first.port } : undefined;
    return { engine: first.engine, engineVersion: first.engineVersion, intranetAddress };
  }

  async intranetAddress(instanceId: string): Promise<RdsAddress | undefined> {
    const body = await this.call(
      'DescribeDBInstanceNetInfo',
      instanceId,
      () => this.sdk.describeDBInstanceNetInfo(new rdsSdk.DescribeDBInstanceNetInfoRequest({ DBInstanceId: instanceId })),
      NetInfoBody,
    );
    const infos = body.DBInstanceNetInfos?.DBInstanceNetInfo ?? [];
    // The function runs inside the VPC: prefer the VPC address, then a classic intranet one; never the public one.
    const chosen = infos.find((i) => i.IPType === 'Private') ?? infos.find((i) => i.IPType === 'Inner');
    const host = chosen?.connectionString ?? chosen?.IPAddress;
    if (!chosen || !host || !chosen.port) return undefined;
    return { host, port: chosen.port };
  }
}

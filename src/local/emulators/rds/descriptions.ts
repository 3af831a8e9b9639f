/**
 * The instance descriptions the RDS emulator answers with (DescribeDBInstanceAttribute and
 * DescribeDBInstanceNetInfo), shaped as Alibaba's API reference shows them. Pure, apart from
 * resolving the connection host; never holds an account or a password.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { AcsResult } from '../acs-rpc/params.js';
import type { RdsEngine } from './rules.js';

/** What an instance reports about itself. */
export interface InstanceFacts {
  id: string;
  engine: RdsEngine;
  engineVersion: string;
  connection: { host: string; port: number };
  regionId: string;
  createdAt: Date;
}

export function netInfoBody(i: InstanceFacts, ipAddress: string): AcsResult {
  return {
    InstanceNetworkType: 'VPC',
    SecurityIPMode: 'normal',
    DBInstanceNetInfos: {
      DBInstanceNetInfo: [
        {
          ConnectionString: i.connection.host,
          IPAddress: ipAddress,
          IPType: 'Private',
          Port: String(i.connection.port),
          ConnectionStringType: 'Normal',
          VPCId: `vpc-${i.id}`,
          VSwitchId: `vsw-${i.id}`,
          Upgradeable: 'Disabled',
        },
      ],
    },
  };
}

export function attributeBody(i: InstanceFacts): AcsResult {
  return {
    Items: {
      DBInstanceAttribute: [
        {
          DBInstanceId: i.id,
          DBInstanceDescription: i.id,
          Engine: i.engine,
          EngineVersion: i.engineVersion,
          DBInstanceStatus: 'Running',
          DBInstanceType: 'Primary',
          Category: 'HighAvailability',
          DBInstanceClass: i.engine === 'MariaDB' ? 'mariadb.n2.medium.2c' : 'mysql.n2.medium.2c',
          DBInstanceCPU: '2',
          DBInstanceMemory: 4096,
          DBInstanceStorage: 100,
          DBInstanceStorageType: 'cloud_essd',
          DBInstanceNetType: 'Intranet',
          InstanceNetworkType: 'VPC',
          ConnectionString: i.connection.host,
          Port: String(i.connection.port),
          VpcId: `vpc-${i.id}`,
          VSwitchId: `vsw-${i.id}`,
          RegionId: i.regionId,
          ZoneId: `${i.regionId}-h`,
          PayType: 'Postpaid',
          LockMode: 'Unlock',
          LockReason: '',
          AccountMaxQuantity: 500,
          DBMaxQuantity: 500,
          MaxConnections: 2000,
          SecurityIPMode: 'normal',
          CreationTime: i.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          ExpireTime: '',
          ReadOnlyDBInstanceIds: { ReadOnlyDBInstanceId: [] },
        },
      ],
    },
  };
}

/** The address DescribeDBInstanceNetInfo reports beside the connection string; empty when it does not resolve. */
export async function ipAddress(host: string): Promise<string> {
  if (isIP(host)) return host;
  try {
    return (await dns.lookup(host)).address;
  } catch {
    return '';
  }
}

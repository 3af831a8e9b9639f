/**
 * Cloud credentials for the SDK clients: FC's STS credentials from the invocation context, or
 * Alibaba's default credential chain when there are none. Never logged.
 */
import * as credentialsSdk from '@alicloud/credentials';
import { sdkClass } from './interop.js';

export type CloudCredentials =
  | { accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined }
  /** An @alicloud/credentials client: the default credential chain. */
  | { credential: unknown };

export interface ContextCredentials {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
}

/**
 * `key` tells credentials apart for client caching (FC hands each container new STS credentials
 * as they rotate); `credentials` is only called when a client has to be built.
 */
export function resolveCredentials(fromContext: ContextCredentials | undefined): { key: string; credentials: () => CloudCredentials } {
  const c = fromContext;
  if (c?.accessKeyId && c.accessKeySecret) {
    const { accessKeyId, accessKeySecret, securityToken } = c;
    return { key: `${accessKeyId}|${securityToken ?? ''}`, credentials: () => ({ accessKeyId, accessKeySecret, securityToken }) };
  }
  // ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN, profiles, instance roles.
  return { key: 'default-chain', credentials: () => ({ credential: new (sdkClass(credentialsSdk))() }) };
}

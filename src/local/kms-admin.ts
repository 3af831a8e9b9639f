/**
 * Dev/test tooling, never bundled: creates and deletes secrets through the real KMS API
 * (openapi-client, because the KMS SDK's CreateSecret cannot set SecretType).
 */
import * as openapiSdk from '@alicloud/openapi-client';
import * as teaUtil from '@alicloud/tea-util';
import { sdkClass } from '../sdk-interop.js';
import { parseEndpoint } from '../config.js';
import { kmsRpcParams } from '../secrets/kms-store.js';

export interface KmsAdmin {
  createSecret(secret: { name: string; data: string; versionId?: string; type?: string }): Promise<void>;
  deleteSecret(name: string): Promise<void>;
  /** A new version; without stages it becomes ACSCurrent, as an operator's update does. */
  putSecretValue(secret: { name: string; versionId: string; data: string; stages?: string[] }): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local-access-key', accessKeySecret: 'local-access-secret' };

export function kmsAdmin(endpointUrl: string, regionId = 'cn-hangzhou', credentials = LOCAL_CREDENTIALS): KmsAdmin {
  const endpoint = parseEndpoint(endpointUrl, 'KMS endpoint');
  const client = new (sdkClass(openapiSdk))(
    new openapiSdk.Config({ endpoint: endpoint.host, protocol: endpoint.protocol, regionId, ...credentials }),
  );
  const call = async (action: string, body: Record<string, string>): Promise<void> => {
    const params = kmsRpcParams(action, endpoint.protocol);
    await client.callApi(params, new openapiSdk.OpenApiRequest({ body }), new teaUtil.RuntimeOptions({}));
  };
  return {
    async createSecret(secret) {
      await call('CreateSecret', {
        SecretName: secret.name,
        SecretData: secret.data,
        SecretDataType: 'text',
        VersionId: secret.versionId ?? 'v1',
        EncryptionKeyId: 'local-key',
        ...(secret.type ? { SecretType: secret.type } : {}),
      });
    },
    async putSecretValue(secret) {
      await call('PutSecretValue', {
        SecretName: secret.name,
        VersionId: secret.versionId,
        SecretData: secret.data,
        SecretDataType: 'text',
        ...(secret.stages ? { VersionStages: JSON.stringify(secret.stages) } : {}),
      });
    },
    async deleteSecret(name) {
      await call('DeleteSecret', { SecretName: name, ForceDeleteWithoutRecovery: 'true' });
    },
  };
}

/**
 * How @alicloud/openapi-client's generic `callApi` reaches an RPC-style Alibaba API (KMS 2016-01-20,
 * CloudFlow 2019-03-15): AK-signed, parameters as a form body (or the query, for GET), JSON answers.
 * One description of that shape, for every client built on callApi.
 */
import * as openapiSdk from '@alicloud/openapi-client';

export function rpcParams(spec: {
  action: string;
  version: string;
  protocol: string;
  method?: 'GET' | 'POST';
}): InstanceType<typeof openapiSdk.Params> {
  return new openapiSdk.Params({
    action: spec.action,
    version: spec.version,
    protocol: spec.protocol,
    pathname: '/',
    method: spec.method ?? 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
}

// SDK errors become named errors by code and status; their messages (which may quote URLs) are never copied.
import { describe, expect, it } from 'vitest';
import { cloudErrorInfo, isSdkCastError, toRotationError } from '../../src/alibaba/errors.js';

const rpcError = (code: string, status: number) =>
  Object.assign(new Error(`${code}Error: code: ${status}, message requestid: r`), { code: `${code}Error`, data: { Code: code } });
const openApiError = (code: string, status: number) =>
  Object.assign(new Error(`${code}: code: ${status}, m`), { code, statusCode: status, data: { Code: code } });

describe('cloud errors', () => {
  it('reads the raw code and status from both SDK generations', () => {
    expect(cloudErrorInfo(rpcError('Forbidden.ResourceNotFound', 404))).toEqual({ code: 'Forbidden.ResourceNotFound', status: 404 });
    expect(cloudErrorInfo(openApiError('Rejected.Throttling', 429))).toEqual({ code: 'Rejected.Throttling', status: 429 });
  });

  it.each([
    ['TransientError', rpcError('Rejected.Throttling', 429)],
    ['TransientError', openApiError('InternalFailure', 500)],
    ['TransientError', openApiError('Whatever', 503)],
    ['TransientError', openApiError('OperationDenied.DBInstanceStatus', 403)],
    ['TransientError', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['TransientError', Object.assign(new SyntaxError('Unexpected token < in JSON at position 0'), {})],
    ['CloudApiError', rpcError('Forbidden.NoPermission', 403)],
    ['CloudApiError', openApiError('InvalidParameter', 400)],
  ])('maps to %s', (name, err) => {
    expect(toRotationError(err, 'KMS GetSecretValue for secret s').name).toBe(name);
  });

  it('never copies the SDK message, which can hold the request URL and its query', () => {
    const err = Object.assign(new Error('ReadTimeout. POST http://kms/?SecretData=hunter2-secret failed.'), {
      name: 'RequestTimeoutError',
    });
    const mapped = toRotationError(err, 'KMS PutSecretValue for secret s');
    expect(mapped.name).toBe('TransientError');
    expect(mapped.message).toBe('KMS PutSecretValue for secret s failed: RequestTimeoutError');
  });
});

describe('isSdkCastError', () => {
  it("recognises the Tea SDKs' own cast failures, and nothing else", () => {
    expect(isSdkCastError(new Error('type of versionIds is mismatch, expect object, but string'))).toBe(true);
    expect(isSdkCastError(new Error('can not cast to Map'))).toBe(true);
    expect(isSdkCastError(new TypeError('type of x is mismatch'))).toBe(false);
    expect(isSdkCastError(Object.assign(new Error('code: 400, InvalidParameter'), { code: 'InvalidParameter' }))).toBe(false);
    expect(isSdkCastError('type of x is mismatch')).toBe(false);
  });
});

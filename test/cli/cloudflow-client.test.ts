// The CloudFlow client's pure parts: which endpoint it talks to (the regional host by default,
// CLOUDFLOW_ENDPOINT as written or parsed otherwise) and what it reads out of a failed execution's history.
import { describe, expect, it } from 'vitest';
import { CloudFlowClient, defaultCloudFlowEndpoint, executionFailure, type HistoryEvent } from '../../src/cli/cloudflow-client.js';
import { ConfigurationError } from '../../src/errors.js';

const credentials = { accessKeyId: 'id', accessKeySecret: 'secret' };

function event(EventId: number, Type: string, StepName: string, Detail: Record<string, unknown>): HistoryEvent {
  return { EventId, Type, StepName, Time: '2026-01-01T00:00:00.000Z', ScheduleEventId: 0, EventDetail: JSON.stringify(Detail), Detail };
}

describe('CloudFlowClient endpoint', () => {
  it('defaults to the regional CloudFlow host over HTTPS', () => {
    expect(defaultCloudFlowEndpoint('ap-southeast-1')).toEqual({ protocol: 'https', host: 'ap-southeast-1.fnf.aliyuncs.com' });
    expect(new CloudFlowClient({ regionId: 'cn-hangzhou', credentials }).endpoint).toEqual({
      protocol: 'https',
      host: 'cn-hangzhou.fnf.aliyuncs.com',
    });
  });

  it('takes CLOUDFLOW_ENDPOINT as written or already parsed, and names the variable when it is malformed', () => {
    expect(new CloudFlowClient({ endpoint: 'http://127.0.0.1:8302', regionId: 'cn-hangzhou', credentials }).endpoint).toEqual({
      protocol: 'http',
      host: '127.0.0.1:8302',
    });
    const parsed = { protocol: 'https' as const, host: 'fnf.example.internal' };
    expect(new CloudFlowClient({ endpoint: parsed, regionId: 'cn-hangzhou', credentials }).endpoint).toBe(parsed);
    expect(() => new CloudFlowClient({ endpoint: 'ftp://x y', regionId: 'cn-hangzhou', credentials })).toThrow(ConfigurationError);
    expect(() => new CloudFlowClient({ endpoint: 'ftp://x y', regionId: 'cn-hangzhou', credentials })).toThrow(/CLOUDFLOW_ENDPOINT/);
  });
});

describe('executionFailure', () => {
  it('reads the error and cause of the event that ended the execution, and the last state that failed', () => {
    const history = [
      event(1, 'ExecutionStarted', '', { input: {} }),
      event(2, 'TaskFailed', 'SetPending', { error: 'DatabaseError', cause: 'no GRANT OPTION' }),
      event(3, 'StepFailed', 'SetPending', { error: 'DatabaseError', cause: 'no GRANT OPTION' }),
      event(4, 'ExecutionFailed', '', { error: 'DatabaseError', cause: 'step set: no GRANT OPTION' }),
    ];
    expect(executionFailure(history)).toEqual({ error: 'DatabaseError', cause: 'step set: no GRANT OPTION', step: 'SetPending' });
  });

  it('reads a stop, accepts capitalised keys, and says nothing about an execution that has not failed', () => {
    expect(executionFailure([event(1, 'ExecutionStopped', '', { Error: 'Operator', Cause: 'manual' })])).toEqual({
      error: 'Operator',
      cause: 'manual',
    });
    expect(executionFailure([event(1, 'ExecutionStarted', '', {}), event(2, 'ExecutionSucceeded', '', { output: {} })])).toBeUndefined();
  });
});

// Builders for small inline definitions, and fakes that record what the runner asked of them:
// an invoker that keeps every request, a sleep that keeps every delay, a clock that advances by hand.
import type { FlowDefinition, FunctionInvoker, InvokeRequest } from '../../../src/local/cloudflow/index.js';

export const ARN = 'acs:fc:cn-hangzhou:1234567890123456:functions/rotator';

type Fields = Record<string, unknown>;

/** A Task invoking ARN with `body`; End: true unless `extra` gives Next. */
export function task(name: string, extra: Fields = {}, body: unknown = { Step: name }): Fields {
  return {
    Type: 'Task',
    Name: name,
    Action: 'FC:InvokeFunction',
    TaskMode: 'RequestComplete',
    Parameters: { resourceArn: ARN, invocationType: 'Sync', body },
    ...('Next' in extra ? {} : { End: true }),
    ...extra,
  };
}

export function pass(name: string, extra: Fields = {}): Fields {
  return { Type: 'Pass', Name: name, ...('Next' in extra ? {} : { End: true }), ...extra };
}

export function retryRule(errors: string[], fields: Fields = {}): Fields {
  return { Errors: errors, Description: `retry ${errors.join(', ')}`, MaxAttempts: 3, IntervalSeconds: 1, ...fields };
}

export function catchRule(errors: string[], next: string, fields: Fields = {}): Fields {
  return { Errors: errors, Description: `catch ${errors.join(', ')}`, Next: next, ...fields };
}

/** A raw document (for the validator); `flow()` types it for runExecution, which validates it again anyway. */
export function document(states: Fields[], extra: Fields = {}): Fields {
  return { Type: 'StateMachine', Name: 'test-flow', SpecVersion: 'v1', StartAt: states[0]?.Name, States: states, ...extra };
}

export function flow(states: Fields[], extra: Fields = {}): FlowDefinition {
  return document(states, extra) as unknown as FlowDefinition;
}

export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Answers each invocation with `answer(parsed body, request)`; keeps every request. */
export function recordingInvoker(answer: (body: Fields, request: InvokeRequest) => unknown = () => ({})) {
  const requests: InvokeRequest[] = [];
  const bodies: Fields[] = [];
  const invoke: FunctionInvoker = async (request) => {
    requests.push(request);
    const body = JSON.parse(request.body.toString('utf8')) as Fields;
    bodies.push(body);
    return answer(body, request);
  };
  return { invoke, requests, bodies };
}

export function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

/** A promise the test settles by hand. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

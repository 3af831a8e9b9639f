// Evaluation: constructors (nested .$ keys, literal arrays, missing paths kept as null) and Choice
// conditions (JSON equality, ordering of numbers and strings, booleans only for && || !).
import { describe, expect, it } from 'vitest';
import {
  ConditionEvaluationError,
  construct,
  evaluateCondition,
  evaluatePath,
  type ExpressionScope,
} from '../../../src/local/cloudflow/expressions.js';

const scope: ExpressionScope = {
  executionInput: { SecretName: 'app-db', Region: 'cn-hangzhou' },
  executionName: 'exec-1',
  input: { Secrets: [{ Name: 'a' }, { Name: 'b' }], Count: 2, Flag: true, Label: 'beta', Nothing: null, Letters: ['a', 'b'] },
  output: { Body: { VersionId: 'v1' } },
  error: { Code: 'TransientError', Detail: 'connection reset' },
};

describe('evaluatePath', () => {
  it('follows keys and indexes from each root', () => {
    expect(evaluatePath('$Input.Secrets[1].Name', scope)).toBe('b');
    expect(evaluatePath('$Output.Body.VersionId', scope)).toBe('v1');
    expect(evaluatePath('$Context.Execution.Input.SecretName', scope)).toBe('app-db');
    expect(evaluatePath('$Context.Execution.Name', scope)).toBe('exec-1');
    expect(evaluatePath('$Context.Current.Error', scope)).toEqual({ Code: 'TransientError', Detail: 'connection reset' });
  });

  it('yields null for a path that does not exist', () => {
    expect(evaluatePath('$Input.Missing.Deeper', scope)).toBeNull();
    expect(evaluatePath('$Input.Secrets[5]', scope)).toBeNull();
    expect(evaluatePath('$Input.Count.Key', scope)).toBeNull();
    expect(evaluatePath('$Input.Secrets.Name', scope)).toBeNull();
    expect(evaluatePath('$Input[0]', scope)).toBeNull();
    // Inherited properties are no JSON keys.
    expect(evaluatePath('$Input.constructor', scope)).toBeNull();
  });
});

describe('construct', () => {
  it('evaluates .$ keys, recurses into objects, and keeps literals and arrays as they are', () => {
    const built = construct(
      {
        Step: 'new',
        'SecretName.$': '$Context.Execution.Input.SecretName',
        Nested: { 'First.$': '$Input.Secrets[0].Name', Fixed: 1 },
        List: [1, { 'NotEvaluated.$': 'kept as text' }],
      },
      scope,
    );
    expect(built).toEqual({
      Step: 'new',
      SecretName: 'app-db',
      Nested: { First: 'a', Fixed: 1 },
      List: [1, { 'NotEvaluated.$': 'kept as text' }],
    });
  });

  it('keeps a key whose path does not exist, with null', () => {
    const built = construct({ 'InstanceId.$': '$Input.InstanceId' }, scope);
    expect(built).toHaveProperty('InstanceId', null);
    expect(JSON.stringify(built)).toBe('{"InstanceId":null}');
  });

  it('copies literals, so the result never aliases the definition', () => {
    const definition = { Tags: ['a'] };
    const built = construct(definition, scope);
    (built.Tags as string[]).push('b');
    expect(definition.Tags).toEqual(['a']);
  });
});

describe('evaluateCondition', () => {
  it.each([
    ['$Input.Count == 2', true],
    ['$Input.Count != 2', false],
    ['$Input.Count > 1 && $Input.Count <= 2', true],
    ['$Input.Count >= 3 || $Input.Flag', true],
    ['!$Input.Flag', false],
    ['$Input.Label == `beta`', true],
    ['"Label" in $Input', true],
    ['"Missing" in $Input', false],
    ['"Nothing" in $Input', true],
    ['"b" in $Input.Letters', true],
    ['"z" in $Input.Letters', false],
    ['$Input.Label < "gamma"', true],
    ['$Input.Missing == $Input.Nothing', true],
    ['$Input.Secrets[0] == $Input.Secrets[0]', true],
    ['$Input.Secrets[0] == $Input.Secrets[1]', false],
    ['!($Input.Count == 3 && $Input.Flag)', true],
    ['$Input.Count == "2"', false],
  ])('%s is %s', (condition, expected) => {
    expect(evaluateCondition(condition, scope)).toBe(expected);
  });

  it('short-circuits, so the right side of a decided && or || is not evaluated', () => {
    expect(evaluateCondition('$Input.Flag || $Input.Missing > 1', scope)).toBe(true);
    expect(evaluateCondition('!$Input.Flag && $Input.Missing > 1', scope)).toBe(false);
  });

  it.each([
    ['$Input.Missing > 0', /cannot order null > number/],
    ['$Input.Label < 3', /cannot order string < number/],
    ['$Input.Count && $Input.Flag', /&& needs booleans, got number/],
    ['!$Input.Label', /! needs booleans, got string/],
    ['$Input.Count', /yields number, not a boolean/],
  ])('refuses to evaluate %s', (condition, message) => {
    expect(() => evaluateCondition(condition, scope)).toThrow(ConditionEvaluationError);
    expect(() => evaluateCondition(condition, scope)).toThrow(message);
  });
});

// The expression grammar: paths with .Key and [index] steps, conditions with literals and operators,
// and a clear "not implemented" for the parts of CloudFlow's expression language this runner lacks.
import { describe, expect, it } from 'vitest';
import { ExpressionSyntaxError, parseCondition, parsePath } from '../../../src/local/cloudflow/expression-parser.js';

describe('parsePath', () => {
  it('reads the root and every .Key and [index] step', () => {
    expect(parsePath('$Input.Secrets[2].Name')).toMatchObject({ root: 'Input', steps: ['Secrets', 2, 'Name'] });
    expect(parsePath('$Output.Body')).toMatchObject({ root: 'Output', steps: ['Body'] });
    expect(parsePath('$Context.Execution.Input.SecretName')).toMatchObject({ root: 'ExecutionInput', steps: ['SecretName'] });
    expect(parsePath('$Context.Execution.Name')).toMatchObject({ root: 'ExecutionName', steps: [] });
    expect(parsePath('$Context.Current.Error.Detail')).toMatchObject({ root: 'Error', steps: ['Detail'] });
    // CloudFlow's long forms of $Input and $Output.
    expect(parsePath('$Context.Current.Input.a')).toMatchObject({ root: 'Input', steps: ['a'] });
    expect(parsePath('$Context.Current.Output.a')).toMatchObject({ root: 'Output', steps: ['a'] });
  });

  it.each([
    ['$Input.', /needs a key after '\.'/],
    ['$Input[x]', /non-negative integer index/],
    ['$Input[-1]', /non-negative integer index/],
    ['$Input[*]', /non-negative integer index/],
    ['$Foo.a', /unknown variable \$Foo/],
    ['$Context.Execution.RoleArn', /\$Context\.Execution\.RoleArn is not implemented by this runner/],
    ['$Context.Current.RetryCount', /not implemented by this runner/],
    ['$Input.a == 1', /expected a single path/],
    ['"text"', /expected a single path/],
    ['Input.a', /unknown name 'Input'/],
    ['format($Input.a)', /function format\(\) is not implemented by this runner/],
  ])('refuses %s', (text, message) => {
    expect(() => parsePath(text)).toThrow(ExpressionSyntaxError);
    expect(() => parsePath(text)).toThrow(message);
  });
});

describe('parseCondition', () => {
  it('binds || loosest, then &&, then comparisons, then !', () => {
    expect(parseCondition('$Input.a == 1 || $Input.b < 2 && !$Input.c')).toEqual({
      kind: 'or',
      left: { kind: 'compare', op: '==', left: expect.objectContaining({ steps: ['a'] }), right: { kind: 'literal', value: 1 } },
      right: {
        kind: 'and',
        left: { kind: 'compare', op: '<', left: expect.objectContaining({ steps: ['b'] }), right: { kind: 'literal', value: 2 } },
        right: { kind: 'not', operand: expect.objectContaining({ steps: ['c'] }) },
      },
    });
  });

  it('lets parentheses group', () => {
    expect(parseCondition('($Input.a || $Input.b) && $Input.c')).toMatchObject({ kind: 'and', left: { kind: 'or' } });
  });

  it('reads numbers, strings in double quotes or backticks with escapes, true and false, as CloudFlow documents them', () => {
    const literal = (text: string) => (parseCondition(`$Input.x == ${text}`) as { right: { value: unknown } }).right.value;
    expect(literal('-1.5e2')).toBe(-150);
    expect(literal("`it's`")).toBe("it's");
    expect(literal('"a\\"b\\n\\u0041"')).toBe('a"b\nA');
    expect(literal('true')).toBe(true);
    expect(literal('false')).toBe(false);
  });

  it('refuses what CloudFlow does not document: null, single quotes', () => {
    expect(() => parseCondition('$Input.x == null')).toThrow(
      /null at \d+ is not in CloudFlow's documented conditions: test a key with "Key" in \$Input/,
    );
    expect(() => parseCondition("$Input.x == 'a'")).toThrow(/strings are quoted with " or ` in CloudFlow conditions/);
  });

  it('reads in as a comparison: an array element or an object key', () => {
    expect(parseCondition('"RegionId" in $Input && $Input.RegionId != ""')).toMatchObject({
      kind: 'and',
      left: { kind: 'compare', op: 'in', left: { kind: 'literal', value: 'RegionId' }, right: { kind: 'path', root: 'Input' } },
    });
  });

  it.each([
    ['$Input.a - 1 > 0', /arithmetic \('-' at \d+\) is not implemented/],
    ['$Input.a * 2', /arithmetic/],
    ['len($Input.a) > 0', /function len\(\) is not implemented/],
    ['$Input.a = 1', /compare with ==/],
    ['$Input.a & $Input.b', /write &&/],
    ['1 < $Input.a < 3', /comparisons do not chain/],
    ['($Input.a', /missing '\)'/],
    ['$Input.a ==', /ends where a value was expected/],
    ['$Input.a $Input.b', /unexpected path \$Input\.b/],
    ['"open', /not closed/],
    ['', /empty/],
    ['$Input.a == yes', /unknown name 'yes'/],
  ])('refuses %s', (text, message) => {
    expect(() => parseCondition(text)).toThrow(message);
  });
});

// The validator reports every problem at once, each naming its state (inside a Map too) and field.
import { describe, expect, it } from 'vitest';
import { FlowDefinitionError, findProblems, validateDefinition, type FlowProblem } from '../../../src/local/cloudflow/index.js';
import { catchRule, document, pass, retryRule, task } from './support.js';

function problemsOf(doc: unknown): FlowProblem[] {
  try {
    validateDefinition(doc, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(FlowDefinitionError);
    const error = err as FlowDefinitionError;
    expect(error.name).toBe('FlowDefinitionError');
    // The message lists every problem with its path and field.
    for (const p of error.problems)
      expect(error.message).toContain(`${[p.path || '(flow)', p.field].filter(Boolean).join(' ')}: ${p.message}`);
    return error.problems;
  }
  throw new Error('expected the definition to be refused');
}

/** The one problem at path/field, whose message matches `message`. */
function expectProblem(problems: FlowProblem[], path: string, field: string, message: RegExp): void {
  const matching = problems.filter((p) => p.path === path && p.field === field);
  expect(matching, JSON.stringify(problems, null, 1)).toHaveLength(1);
  expect(matching[0]?.message).toMatch(message);
}

const mapState = (states: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  Type: 'Map',
  Name: 'RotateEach',
  ItemsPath: '$Input.Secrets',
  MaxConcurrency: 2,
  Processor: { StartAt: states[0]?.Name, States: states },
  End: true,
  ...extra,
});

describe('validateDefinition', () => {
  it('accepts a valid flow and returns it typed', () => {
    const doc = document([task('A', { Next: 'B' }), pass('B')]);
    const flow = validateDefinition(doc);
    expect(flow.States.map((s) => s.Type)).toEqual(['Task', 'Pass']);
    expect(findProblems(doc)).toEqual([]);
  });

  it('reports every problem of a definition at once, not only the first', () => {
    const problems = problemsOf(
      document(
        [task('A', { Next: 'Nowhere', Bogus: 1 }), { Type: 'Pass', Name: 'A', End: true }, { Type: 'Sleep', Name: 'C', End: true }],
        { SpecVersion: 'v2' },
      ),
    );
    expectProblem(problems, '', 'SpecVersion', /must be v1/);
    expectProblem(problems, 'A', 'Bogus', /unknown key/);
    expectProblem(problems, 'A', 'Next', /"Nowhere" names no state in the flow/);
    expect(problems.some((p) => p.path === 'A' && p.field === 'Name' && /duplicate state name/.test(p.message))).toBe(true);
    expectProblem(problems, 'C', 'Type', /unknown state type "Sleep"/);
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it('names unknown keys at every level, listing what this runner reads', () => {
    const problems = problemsOf(
      document(
        [
          task('A', {
            ResultPath: '$.x',
            Retry: [retryRule(['E'], { Jitter: true })],
            Catch: [catchRule(['FnF.ALL'], 'A', { Extra: 1 })],
            Parameters: { resourceArn: 'acs:fc:cn-hangzhou:1:functions/f', invocationType: 'Sync', body: {}, qualifier: 'LATEST' },
          }),
        ],
        { Comment: 'hi' },
      ),
    );
    expectProblem(problems, '', 'Comment', /unknown key \(this runner reads Type, Name, SpecVersion, Description, StartAt, States\)/);
    expectProblem(problems, 'A', 'ResultPath', /unknown key \(this runner reads .*Parameters/);
    expectProblem(problems, 'A', 'Retry[0].Jitter', /unknown key \(this runner reads Errors, Description, MaxAttempts/);
    expectProblem(problems, 'A', 'Catch[0].Extra', /unknown key/);
    expectProblem(problems, 'A', 'Parameters.qualifier', /unknown key \(this runner reads resourceArn, invocationType, body, body\.\$\)/);
  });

  it('refuses Parallel as not implemented and unknown types as unknown', () => {
    const problems = problemsOf(
      document([
        { Type: 'Parallel', Name: 'P', Branches: [], End: true },
        { Name: 'NoType', End: true },
      ]),
    );
    expectProblem(problems, 'P', 'Type', /Parallel is a CloudFlow state type not implemented by this runner/);
    expectProblem(problems, 'NoType', 'Type', /is required/);
  });

  it('follows the Next of a state it cannot check, so what follows is not also reported unreachable', () => {
    const problems = problemsOf(document([{ Type: 'Parallel', Name: 'P', Branches: [], Next: 'After' }, pass('After')]));
    expect(problems.map((p) => `${p.path} ${p.field}`)).toEqual(['P Type']);
  });

  it('needs Next or End, not both, and no Next on Choice, Succeed or Fail', () => {
    const problems = problemsOf(
      document([
        { Type: 'Pass', Name: 'A' },
        pass('B', { Next: 'A', End: true }),
        { Type: 'Succeed', Name: 'S', Next: 'A' },
        { Type: 'Fail', Name: 'F', Detail: 'd', End: true },
      ]),
    );
    expectProblem(problems, 'A', 'Next', /needs Next, or End: true/);
    expectProblem(problems, 'B', 'End', /both Next and End are given/);
    expectProblem(problems, 'S', 'Next', /a Succeed state ends its scope/);
    // Alibaba's own samples write End: true on a Fail state; it is accepted.
    expect(problems.filter((p) => p.path === 'F' && p.field !== '')).toEqual([]);
  });

  it('finds StartAt, Next, Default, Branch and Catch targets that name no state', () => {
    const problems = problemsOf(
      document(
        [
          task('A', { Next: 'Choose', Catch: [catchRule(['FnF.ALL'], 'Missing')] }),
          { Type: 'Choice', Name: 'Choose', Branches: [{ Condition: '$Input.x == 1', Next: 'Gone' }], Default: 'Away' },
        ],
        { StartAt: 'Begin' },
      ),
    );
    expectProblem(problems, '', 'StartAt', /"Begin" names no state in the flow/);
    expectProblem(problems, 'A', 'Catch[0].Next', /"Missing" names no state/);
    expectProblem(problems, 'Choose', 'Branches[0].Next', /"Gone" names no state/);
    expectProblem(problems, 'Choose', 'Default', /"Away" names no state/);
  });

  it('scopes names per Processor: a Processor state cannot go to a top-level state, and may reuse its name', () => {
    const problems = problemsOf(document([mapState([task('Work', { Next: 'Done' }), pass('RotateEach')]), pass('Done')]));
    expectProblem(
      problems,
      'RotateEach/Work',
      'Next',
      /"Done" names no state in the Processor of RotateEach \(a Processor cannot leave its Map\)/,
    );
    // `RotateEach` inside its own Processor is no duplicate of the Map, and `Done` is unreachable at the top level.
    expect(problems.filter((p) => /duplicate/.test(p.message))).toEqual([]);
    expectProblem(problems, 'Done', '', /unreachable/);
  });

  it('reports duplicate names and unreachable states', () => {
    const problems = problemsOf(document([pass('A', { Next: 'B' }), pass('B'), pass('B'), pass('Island', { Next: 'B' })]));
    expectProblem(problems, 'B', 'Name', /duplicate state name \(States\[1\] and States\[2\] in the flow\)/);
    expectProblem(problems, 'Island', '', /unreachable: no StartAt, Next, Default, Branch or Catch leads here/);
  });

  it('counts a Catch target as reachable', () => {
    expect(
      findProblems(document([task('A', { Catch: [catchRule(['FnF.ALL'], 'Failed')] }), { Type: 'Fail', Name: 'Failed', Detail: 'd' }])),
    ).toEqual([]);
  });

  it('names problems inside a Map by Map/State, and checks the Processor like a flow', () => {
    const problems = problemsOf(
      document([
        mapState([task('CreatePending', { Retry: [retryRule(['E'], { MaxAttempts: -1 })] }), pass('Orphan')], { Processor: undefined }),
      ]),
    );
    expectProblem(problems, 'RotateEach', 'Processor', /is required/);
    const nested = problemsOf(
      document([mapState([task('CreatePending', { Retry: [retryRule(['E'], { MaxAttempts: -1 })] }), pass('Orphan')])]),
    );
    expectProblem(nested, 'RotateEach/CreatePending', 'Retry[0].MaxAttempts', /0/);
    expectProblem(nested, 'RotateEach/Orphan', '', /unreachable.*in the Processor of RotateEach/);
    const badStart = problemsOf(document([{ ...mapState([pass('X')]), Processor: { StartAt: 'Y', States: [pass('X')] } }]));
    expectProblem(badStart, 'RotateEach', 'Processor.StartAt', /"Y" names no state in the Processor of RotateEach/);
  });

  it('refuses the misspelt MaxConcuccency with a hint, and a MaxConcurrency over 40', () => {
    const misspelt = problemsOf(document([{ ...mapState([pass('X')]), MaxConcurrency: undefined, MaxConcuccency: 5 }]));
    expectProblem(misspelt, 'RotateEach', 'MaxConcuccency', /this runner reads MaxConcurrency/);
    expectProblem(problemsOf(document([mapState([pass('X')], { MaxConcurrency: 41 })])), 'RotateEach', 'MaxConcurrency', /40/);
  });

  it('checks every Retry rule field against CloudFlow ranges', () => {
    const problems = problemsOf(
      document([
        task('A', {
          Retry: [
            { Errors: [], MaxAttempts: 1.5, IntervalSeconds: 0, BackoffRate: 0.5, MaxBackoffSeconds: 86_401 },
            retryRule(['E'], { IntervalSeconds: 86_401 }),
          ],
        }),
      ]),
    );
    expectProblem(problems, 'A', 'Retry[0].Errors', /at least one error/);
    expectProblem(problems, 'A', 'Retry[0].Description', /is required/);
    expectProblem(problems, 'A', 'Retry[0].MaxAttempts', /int/);
    expectProblem(problems, 'A', 'Retry[0].IntervalSeconds', /1/);
    expectProblem(problems, 'A', 'Retry[0].BackoffRate', /1/);
    expectProblem(problems, 'A', 'Retry[0].MaxBackoffSeconds', /86400/);
    expectProblem(problems, 'A', 'Retry[1].IntervalSeconds', /86400/);
  });

  it('refuses the obsolete draft syntax with a hint', () => {
    const problems = problemsOf(
      document([task('A', { OnErrors: [{ Errors: ['E'], Retry: { MaxAttempts: 1, FixedBackoff: 2, Multiplier: 2 } }] })]),
    );
    expectProblem(problems, 'A', 'OnErrors', /obsolete draft syntax: write Retry and Catch/);
  });

  it('accepts only FC:InvokeFunction, RequestComplete and Sync, and needs a body', () => {
    const problems = problemsOf(
      document([
        {
          ...task('A'),
          Action: 'OSS:PutObject',
          TaskMode: 'WaitForCustomCallback',
          Parameters: { resourceArn: 'acs:fc:cn-hangzhou:1:functions/f', invocationType: 'Async' },
        },
      ]),
    );
    expectProblem(problems, 'A', 'Action', /this runner implements only FC:InvokeFunction/);
    expectProblem(problems, 'A', 'TaskMode', /this runner implements only RequestComplete/);
    expectProblem(problems, 'A', 'Parameters.invocationType', /this runner implements only Sync/);
    expectProblem(problems, 'A', 'Parameters.body', /needs body or body\.\$/);
  });

  it('refuses malformed function ARNs and accepts qualifiers and the shipped placeholders', () => {
    const arns = {
      'acs:fc:cn-hangzhou:123:services/svc.LATEST/functions/f': false,
      'acs:fc:cn-hangzhou:123:function/f': false,
      'acs:fc:cn-hangzhou:12a:functions/f': false,
      'arn:aws:lambda:us-east-1:123:function:f': false,
      'acs:fc:cn-hangzhou:123:functions/f/prod': true,
      'acs:fc:cn-hangzhou:123:functions/f': true,
      'acs:fc:REGION:ACCOUNT_ID:functions/fc-secret-rotation': true,
    };
    for (const [arn, valid] of Object.entries(arns)) {
      const problems = findProblems(document([{ ...task('A'), Parameters: { resourceArn: arn, invocationType: 'Sync', body: {} } }]));
      if (valid) expect(problems, arn).toEqual([]);
      else
        expectProblem(
          problems,
          'A',
          'Parameters.resourceArn',
          /must be an FC 3\.0 function ARN: acs:fc:<region>:<account>:functions\/<name>/,
        );
    }
  });

  it('reports expressions that do not parse, naming the state and field', () => {
    const problems = problemsOf(
      document([
        task('A', { Next: 'Choose' }, { 'Size.$': 'length($Input.Secrets)', 'Sum.$': '$Input.a + 1', Nested: { 'Deep.$': '$Input.' } }),
        { Type: 'Choice', Name: 'Choose', Branches: [{ Condition: '$Input.a = 1', Next: 'B' }], Default: 'B' },
        pass('B'),
      ]),
    );
    expectProblem(problems, 'A', 'Parameters.body.Size.$', /function length\(\) is not implemented by this runner/);
    expectProblem(problems, 'A', 'Parameters.body.Sum.$', /arithmetic/);
    expectProblem(problems, 'A', 'Parameters.body.Nested.Deep.$', /needs a key after '\.'/);
    expectProblem(problems, 'Choose', 'Branches[0].Condition', /compare with ==/);
  });

  it('allows $Output only in an OutputConstructor and $Context.Current.Error only in a Catch rule', () => {
    const problems = problemsOf(
      document([
        task(
          'A',
          {
            InputConstructor: { 'X.$': '$Output.Body' },
            OutputConstructor: { 'Code.$': '$Context.Current.Error.Code', 'Ok.$': '$Output.Body.Ok' },
            Catch: [
              catchRule(['FnF.ALL'], 'B', { OutputConstructor: { 'Out.$': '$Output.Body', 'Code.$': '$Context.Current.Error.Code' } }),
            ],
          },
          { 'Flow.$': '$Context.Flow.Name' },
        ),
        pass('B'),
      ]),
    );
    expectProblem(problems, 'A', 'InputConstructor.X.$', /\$Output is only available inside an OutputConstructor/);
    expectProblem(problems, 'A', 'OutputConstructor.Code.$', /only available inside a Catch rule's OutputConstructor/);
    expectProblem(problems, 'A', 'Catch[0].OutputConstructor.Out.$', /\$Output is only available/);
    expectProblem(problems, 'A', 'Parameters.body.Flow.$', /\$Context\.Flow\.Name is not implemented by this runner/);
    expect(problems.filter((p) => p.field === 'OutputConstructor.Ok.$' || p.field === 'Catch[0].OutputConstructor.Code.$')).toEqual([]);
  });

  it('refuses constructor values it would not evaluate: non-string expressions, a key given twice, .$ keys inside arrays', () => {
    const problems = problemsOf(document([task('A', {}, { 'N.$': 5, K: 1, 'K.$': '$Input.k', List: [{ 'V.$': '$Input.v' }] })]));
    expectProblem(problems, 'A', 'Parameters.body.N.$', /must be a string such as \$Input\.Key/);
    expectProblem(problems, 'A', 'Parameters.body.K.$', /both K and K\.\$ are given/);
    expectProblem(problems, 'A', 'Parameters.body.List', /arrays are literals/);
  });

  it('checks ItemsPath, Wait seconds, Fail and Choice fields', () => {
    const problems = problemsOf(
      document([
        mapState([pass('X')], { ItemsPath: 'Secrets', Next: 'W', End: undefined }),
        { Type: 'Wait', Name: 'W', Seconds: 301, 'Seconds.$': '$Input.s', Next: 'W2' },
        { Type: 'Wait', Name: 'W2', Next: 'C' },
        { Type: 'Choice', Name: 'C', Branches: [{ Condition: '$Input.ok', Next: 'F' }] },
        { Type: 'Fail', Name: 'F', Code: 'X' },
      ]),
    );
    expectProblem(problems, 'RotateEach', 'ItemsPath', /unknown name 'Secrets'/);
    expectProblem(problems, 'W', 'Seconds', /300/);
    expectProblem(problems, 'W', 'Seconds.$', /both Seconds and Seconds\.\$/);
    expectProblem(problems, 'W2', 'Seconds', /needs Seconds or Seconds\.\$/);
    expectProblem(problems, 'C', 'Default', /is required/);
    expectProblem(problems, 'F', 'Detail', /is required/);
  });

  it("refuses CloudFlow's legacy language with a message saying so", () => {
    const problems = problemsOf({ version: 'v1', type: 'flow', steps: [{ type: 'task', name: 'a', resourceArn: 'x', inputMappings: [] }] });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(
      /legacy definition language .* which this runner does not run: write the current one \(Type: StateMachine, SpecVersion: v1/,
    );
  });

  it('refuses a document that is not an object, or a state that is not', () => {
    expect(problemsOf([1, 2])[0]?.message).toMatch(/must be an object/);
    expectProblem(problemsOf(document([pass('A'), 'B' as unknown as Record<string, unknown>])), 'States[1]', '', /must be an object/);
  });
});

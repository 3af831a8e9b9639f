// The event is decoded from Buffer, string or object and validated field by field.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseEvent, type RotationEvent } from '../src/event.js';
import { InvalidEventError } from '../src/errors.js';

const valid = { SecretName: 'app-db', RegionId: 'cn-hangzhou', Step: 'set', VersionId: 'v-1' };

describe('parseEvent', () => {
  it('accepts a Buffer, a string and an object alike, ignoring unknown fields', () => {
    const expected = { SecretName: 'app-db', RegionId: 'cn-hangzhou', Step: 'set', VersionId: 'v-1' };
    const withExtra = { ...valid, Comment: 'ignored' };
    expect(parseEvent(Buffer.from(JSON.stringify(withExtra)))).toEqual(expected);
    expect(parseEvent(JSON.stringify(withExtra))).toEqual(expected);
    expect(parseEvent(withExtra)).toEqual(expected);
  });

  it('lets new go without VersionId and keeps InstanceId', () => {
    expect(parseEvent({ SecretName: 'a', RegionId: 'cn-shanghai', Step: 'new', InstanceId: 'rm-uf6wjk5xxxxxxx' })).toEqual({
      SecretName: 'a',
      RegionId: 'cn-shanghai',
      Step: 'new',
      InstanceId: 'rm-uf6wjk5xxxxxxx',
    });
  });

  it.each([
    ['VersionId', { ...valid, VersionId: undefined }],
    ['VersionId', { ...valid, Step: 'end', VersionId: undefined }],
    ['Step', { ...valid, Step: 'rotate' }],
    ['SecretName', { ...valid, SecretName: '' }],
    ['SecretName', { ...valid, SecretName: "a'; DROP" }],
    ['RegionId', { ...valid, RegionId: 'hangzhou' }],
    ['VersionId', { ...valid, VersionId: 'x'.repeat(65) }],
    ['InstanceId', { ...valid, InstanceId: 'rm 1' }],
    ['SecretName', { RegionId: 'cn-hangzhou', Step: 'new' }],
  ])('names the field %s when it is wrong', (field, event) => {
    expect(() => parseEvent(event)).toThrow(InvalidEventError);
    expect(() => parseEvent(event)).toThrow(new RegExp(`${field}:`));
  });

  it('refuses what is not a JSON object, without echoing it', () => {
    for (const raw of [Buffer.from('not json s3cr3t'), '[]', 'null', 42]) {
      const err = (() => {
        try {
          parseEvent(raw);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(InvalidEventError);
      expect(err?.message).not.toContain('s3cr3t');
    }
  });

  it('reports a missing VersionId beside the other faults of the same event', () => {
    const run = () => parseEvent({ ...valid, SecretName: "a'; DROP", VersionId: undefined });
    expect(run).toThrow(/SecretName: letters, digits and _\/\+=\.@- only; VersionId: required for Step set$/);
  });

  it('names the secret when the SecretName itself is fine', () => {
    expect(() => parseEvent({ ...valid, Step: 'x' })).toThrow(/for secret app-db/);
  });
});

describe('RotationEvent', () => {
  it('has a VersionId exactly where the schema requires one (checked by tsc)', () => {
    expectTypeOf<Extract<RotationEvent, { Step: 'set' | 'test' | 'end' }>['VersionId']>().toEqualTypeOf<string>();
    expectTypeOf<Extract<RotationEvent, { Step: 'new' }>['VersionId']>().toEqualTypeOf<string | undefined>();
    const event = parseEvent(valid);
    expect(event.Step === 'set' && event.VersionId).toBe('v-1');
  });
});

describe('absent optional fields', () => {
  const base = { SecretName: 'app-db', RegionId: 'cn-hangzhou', Step: 'new' };

  it('treats a missing, null or empty InstanceId alike: no instance (a flow expression on a missing path may yield null)', () => {
    for (const InstanceId of [undefined, null, '']) {
      const event = parseEvent({ ...base, InstanceId });
      expect(event).toEqual(base);
      expect('InstanceId' in event && event.InstanceId !== undefined).toBe(false);
    }
  });

  it('still refuses an InstanceId that is there and malformed', () => {
    expect(() => parseEvent({ ...base, InstanceId: 'rm 1' })).toThrow(/InstanceId:/);
    expect(() => parseEvent({ ...base, InstanceId: 42 })).toThrow(/InstanceId:/);
  });

  it('treats a null VersionId on new as absent, and on set as missing', () => {
    expect(parseEvent({ ...base, VersionId: null })).toEqual(base);
    expect(() => parseEvent({ ...base, Step: 'set', VersionId: null })).toThrow(/VersionId: required for Step set/);
  });

  it('lists every Step it knows when the Step is none of them', () => {
    expect(() => parseEvent({ ...base, Step: 'rotate' })).toThrow(/Step: one of new, set, test, end, discover, report/);
  });
});

describe('discover and report events', () => {
  it('parses discover with and without a TagKey; null or empty TagKey means the default', () => {
    expect(parseEvent({ Step: 'discover', RegionId: 'cn-hangzhou' })).toEqual({ Step: 'discover', RegionId: 'cn-hangzhou' });
    expect(parseEvent({ Step: 'discover', RegionId: 'cn-hangzhou', TagKey: null })).toEqual({ Step: 'discover', RegionId: 'cn-hangzhou' });
    expect(parseEvent({ Step: 'discover', RegionId: 'cn-hangzhou', TagKey: 'team-x' })).toMatchObject({ TagKey: 'team-x' });
  });

  it('refuses a discover event without a region, naming the field', () => {
    expect(() => parseEvent({ Step: 'discover' })).toThrow(/RegionId:/);
    expect(() => parseEvent({ Step: 'discover', RegionId: 'cn-hangzhou', TagKey: 'x'.repeat(129) })).toThrow(/TagKey:/);
  });

  it('parses report outcomes, and refuses a Results that is not a list of outcomes', () => {
    const event = parseEvent({ Step: 'report', Results: [{ SecretName: 'a', Status: 'Rotated', VersionId: 'v2', Step: null }] });
    expect(event).toEqual({ Step: 'report', Results: [{ SecretName: 'a', Status: 'Rotated', VersionId: 'v2' }] });
    expect(() => parseEvent({ Step: 'report' })).toThrow(/Results:/);
    expect(() => parseEvent({ Step: 'report', Results: [{ SecretName: 'a', Status: 'Maybe' }] })).toThrow(/Results\.0\.Status:/);
  });
});

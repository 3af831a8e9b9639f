/**
 * The invocation event (CONTRACT: Event): decoded from Buffer, string or object and validated.
 * Unknown fields are ignored; errors name the field, never echo its value.
 */
import { z } from 'zod';
import { InvalidEventError } from './errors.js';
import { describeIssues } from './zod-issues.js';

export const STEPS = ['new', 'set', 'test', 'end'] as const;
export type Step = (typeof STEPS)[number];

/** KMS secret names as this function accepts them: nothing an error message could be tricked by. */
const SecretNameSchema = z
  .string()
  .min(1)
  .max(192)
  .regex(/^[A-Za-z0-9_/+=.@-]+$/, 'letters, digits and _/+=.@- only');

const EventFields = z.object({
  SecretName: SecretNameSchema,
  RegionId: z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, 'a region such as cn-hangzhou'),
  Step: z.enum(STEPS),
  VersionId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _.- only')
    .optional(),
  InstanceId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'an RDS instance id such as rm-...')
    .optional(),
});
type EventFields = z.infer<typeof EventFields>;

/** The steps after `new`, which act on a version `new` staged and so must be told its VersionId. */
export type VersionedStep = Exclude<Step, 'new'>;

/** An event in which VersionId is present exactly where the schema requires it. */
export type RotationEvent = (EventFields & { Step: 'new' }) | (EventFields & { Step: VersionedStep; VersionId: string });

export const RotationEventSchema = EventFields.superRefine((event, ctx) => {
  // A refinement, not a check inside the transform below: it is reported beside the other fields' faults.
  if (event.Step !== 'new' && event.VersionId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['VersionId'], message: `required for Step ${event.Step}` });
  }
}).transform((event): RotationEvent => {
  if (event.Step === 'new') return { ...event, Step: 'new' };
  // The refinement has refused a later step without VersionId; this only tells the type so.
  if (event.VersionId === undefined) return z.NEVER;
  return { ...event, Step: event.Step, VersionId: event.VersionId };
});

function decode(raw: unknown): unknown {
  if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) raw = Buffer.from(raw).toString('utf8');
  if (typeof raw === 'string') {
    try {
      return JSON.parse(raw);
    } catch {
      throw new InvalidEventError('event is not valid JSON');
    }
  }
  return raw;
}

export function parseEvent(raw: unknown): RotationEvent {
  const decoded = decode(raw);
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw new InvalidEventError('event must be a JSON object');
  }
  const result = RotationEventSchema.safeParse(decoded);
  if (!result.success) {
    const secret = (decoded as Record<string, unknown>)['SecretName'];
    const about = SecretNameSchema.safeParse(secret).success ? ` for secret ${String(secret)}` : '';
    throw new InvalidEventError(`invalid event${about}: ${describeIssues(result.error, 'event')}`);
  }
  return result.data;
}

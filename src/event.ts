/**
 * The invocation event (CONTRACT: Event): decoded from Buffer, string or object and validated.
 * Unknown fields are ignored; errors name the field, never echo its value. Three kinds share the
 * handler: a rotation step (new, set, test, end), `discover` (which tagged secrets are due) and
 * `report` (the verdict of a Map of rotations). A missing, null or empty optional field is absent:
 * a flow expression on a missing path may yield null.
 */
import { z } from 'zod';
import { InvalidEventError } from './errors.js';
import { describeIssues } from './zod-issues.js';

/** The rotation steps, in the order a flow runs them. */
export const STEPS = ['new', 'set', 'test', 'end'] as const;
export type Step = (typeof STEPS)[number];

/** Every Step the handler dispatches on. */
export const FUNCTION_STEPS = [...STEPS, 'discover', 'report'] as const;
export type FunctionStep = (typeof FUNCTION_STEPS)[number];

/** null and "" mean "not given": CloudFlow may hand a missing path over as null. */
const absentIfEmpty = (value: unknown): unknown => (value === null || value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(absentIfEmpty, schema.optional());

/** KMS secret names as this function accepts them: nothing an error message could be tricked by. */
export const SecretNameSchema = z
  .string()
  .min(1)
  .max(192)
  .regex(/^[A-Za-z0-9_/+=.@-]+$/, 'letters, digits and _/+=.@- only');

const RegionIdSchema = z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, 'a region such as cn-hangzhou');

/** An RDS instance id as RDS spells them (rm-..., pgm-...). */
export const InstanceIdSchema = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'an RDS instance id such as rm-...');

const EventFields = z.object({
  SecretName: SecretNameSchema,
  RegionId: RegionIdSchema,
  Step: z.enum(STEPS, { error: () => `one of ${FUNCTION_STEPS.join(', ')}` }),
  VersionId: optional(
    z
      .string()
      .max(64)
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _.- only'),
  ),
  InstanceId: optional(InstanceIdSchema),
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

/** KMS tag keys hold up to 128 characters, and `<TagKey>-instance` must be one too: 119 at most. */
export const TagKeySchema = z
  .string()
  .max(119)
  .regex(/^[^\u0000-\u001f]+$/, 'a tag key of printable characters');

export const DiscoverEventSchema = z.object({
  Step: z.literal('discover'),
  RegionId: RegionIdSchema,
  TagKey: optional(TagKeySchema),
});
export type DiscoverEvent = z.infer<typeof DiscoverEventSchema>;

/**
 * One Map item's outcome as the shipped flows record it. A failed item may lack a valid SecretName
 * (its own event was the fault), so fields are loose here and checked where they are used.
 */
const ItemOutcome = z.object({
  SecretName: z.preprocess(absentIfEmpty, z.unknown()),
  Status: z.enum(['Rotated', 'Failed']),
  Step: z.preprocess(absentIfEmpty, z.string().max(64).optional()),
  Error: z.preprocess(absentIfEmpty, z.string().max(128).optional()),
  VersionId: z.preprocess(absentIfEmpty, z.string().max(64).optional()),
});
export type ItemOutcome = z.infer<typeof ItemOutcome>;

/** The flows' state limit (64 KiB) keeps a Map far below this; more is not a flow's output. */
const MAX_REPORTED_ITEMS = 1_000;

export const ReportEventSchema = z.object({
  Step: z.literal('report'),
  RegionId: optional(RegionIdSchema),
  Results: z.array(ItemOutcome).max(MAX_REPORTED_ITEMS),
  Problems: optional(z.array(z.object({ SecretName: z.string().max(192), Reason: z.string().max(512) })).max(MAX_REPORTED_ITEMS)),
  /** discover's count of what it left for the next run. */
  Truncated: optional(z.object({ Secrets: z.number().int().min(0), Problems: z.number().int().min(0) })),
});
export type ReportEvent = z.infer<typeof ReportEventSchema>;

/** Whatever the handler may be asked to do. */
export type FunctionEvent = RotationEvent | DiscoverEvent | ReportEvent;

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

const StepField = z.object({ Step: z.enum(FUNCTION_STEPS) });

function schemaFor(decoded: object): z.ZodType<FunctionEvent> {
  const step = StepField.safeParse(decoded);
  if (step.success && step.data.Step === 'discover') return DiscoverEventSchema;
  if (step.success && step.data.Step === 'report') return ReportEventSchema;
  // A rotation step, or a Step that is none: the rotation schema names every faulty field at once.
  return RotationEventSchema;
}

export function parseEvent(raw: unknown): FunctionEvent {
  const decoded = decode(raw);
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw new InvalidEventError('event must be a JSON object');
  }
  const result = schemaFor(decoded).safeParse(decoded);
  if (!result.success) {
    const secret = (decoded as Record<string, unknown>)['SecretName'];
    const about = SecretNameSchema.safeParse(secret).success ? ` for secret ${String(secret)}` : '';
    throw new InvalidEventError(`invalid event${about}: ${describeIssues(result.error, 'event')}`);
  }
  return result.data;
}

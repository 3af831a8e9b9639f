/**
 * The RDS backend's own error kinds, apart from client.ts so that code which only tells them apart
 * never loads the RDS SDK.
 */
import { TransientError } from '../../errors.js';

/**
 * RDS refused a change to an account still being created or reset (`IncorrectAccountStatus`): still a
 * TransientError by name (a retry converges), and told apart by the backend, which then waits for it.
 */
export class AccountNotReadyError extends TransientError {}

/**
 * The RDS API's answers for refused calls, with the codes, HTTP statuses and messages of Alibaba's
 * API reference, as the emulator gives them. They never carry a request value.
 */
import { AcsApiError } from '../acs-rpc/params.js';

/** The codes RDS answers with while an instance runs another task; the function must treat both as transient. */
export type BusyCode = 'OperationDenied.DBInstanceStatus' | 'IncorrectDBInstanceState';

const BUSY_MESSAGES: Readonly<Record<BusyCode, string>> = {
  'OperationDenied.DBInstanceStatus': 'The operation is not permitted due to status of instance.',
  IncorrectDBInstanceState: 'Current DB instance state does not support this operation.',
};

export const instanceBusy = (code: BusyCode): AcsApiError => new AcsApiError(403, code, BUSY_MESSAGES[code]);

export const instanceNotFound = (): AcsApiError =>
  new AcsApiError(404, 'InvalidDBInstanceId.NotFound', 'The DBInstanceId provided does not exist in our records.');

export const invalidAccountName = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountName.Format', 'Specified account name is not valid.');
export const forbiddenAccountName = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountName.Forbid', 'Specified account name is a keyword in RDS.');
export const duplicateAccount = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountName.Duplicate', 'Specified account name already exists in this instance.');
export const accountNotFound = (): AcsApiError =>
  new AcsApiError(404, 'InvalidAccountName.NotFound', 'Specified account name does not exist.');
export const invalidPassword = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountPassword.Format', 'Specified account password is not valid.');
export const invalidDescription = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountDescription.Format', 'Specified account description is not valid.');
export const incorrectAccountType = (): AcsApiError =>
  new AcsApiError(403, 'IncorrectAccountType', 'Current account type does not support this operation.');
export const accountStatus = (): AcsApiError =>
  new AcsApiError(400, 'IncorrectAccountStatus', 'Current account status does not support this operation.');
export const dbNotFound = (): AcsApiError => new AcsApiError(400, 'InvalidDBName.NotFound', 'Specified DB name does not exist.');
export const invalidPrivilege = (): AcsApiError =>
  new AcsApiError(400, 'InvalidAccountPrivilege.Malformed', 'Specified account privilege is not valid.');
export const privilegeCountMismatch = (): AcsApiError =>
  new AcsApiError(400, 'InvalidDBNameOrAccountPrivilege', 'Account permissions and database names must correspond.');

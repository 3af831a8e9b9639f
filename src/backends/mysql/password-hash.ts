/**
 * The mysql_native_password hash, `*` + HEX(SHA1(SHA1(password))), as MySQL's and MariaDB's PASSWORD()
 * compute it. Account statements send this instead of the password, so the password itself never
 * travels to the server, where a process list, a general log or a statement-based binlog could show
 * it. The hash is not enough to log in with (the native protocol needs SHA1(password)); it is still
 * never logged here, and the password never leaves this function.
 */
import { createHash } from 'node:crypto';

export function nativePasswordHash(password: string): string {
  const once = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(once).digest('hex').toUpperCase()}`;
}

/**
 * Account names this function will handle: characters that need no quoting anywhere (SQL, RDS
 * API, logs), so a hostile name such as `x'@'%' ...` is refused before it reaches any statement.
 * Widen it only together with every place that puts a name into SQL, an API call or a log line.
 */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_$.-]*$/;
export const ACCOUNT_NAME_RULE = 'letters, digits and _$.- only, not starting with a punctuation mark';

/**
 * `format(seconds)`, remembered for the last second asked for. The spans of a
 * batch start and end within a few seconds, so their timestamps share the date
 * part; `Date#toISOString` was the hottest call of span start and of mapping.
 */
export function perSecond(format: (seconds: number) => string): (seconds: number) => string {
  let last = NaN;
  let value = '';
  return (seconds) => {
    if (seconds !== last) {
      value = format(seconds);
      last = seconds;
    }
    return value;
  };
}

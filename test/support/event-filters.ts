/**
 * Lambda's event filter grammar (event source mappings), as much of it as Plaza's stream filters
 * use: exact values, prefixes and exists, nested under a record's fields. A rule it does not know fails
 * loudly, so no filter is judged by a grammar it was not written in.
 */
export function matchesFilter(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((rule: unknown) => {
      if (typeof rule !== 'object' || rule === null) return rule === value;
      if ('prefix' in rule && Object.keys(rule).length === 1) {
        return typeof value === 'string' && value.startsWith(String(rule.prefix));
      }
      if ('exists' in rule && Object.keys(rule).length === 1) return (value !== undefined) === rule.exists;
      throw new Error(`No stand-in for the filter rule ${JSON.stringify(rule)}`);
    });
  }
  if (typeof pattern === 'object' && pattern !== null) {
    return Object.entries(pattern).every(([key, inner]) =>
      matchesFilter(inner, (value as Record<string, unknown> | undefined)?.[key]),
    );
  }
  throw new Error(`A filter pattern holds arrays and objects, not ${JSON.stringify(pattern)}`);
}

/** Whether Lambda hands the record to the function: some pattern of the mapping matches it. */
export function eventFiltersPass(patterns: readonly unknown[], record: unknown): boolean {
  return patterns.some((pattern) => matchesFilter(pattern, record));
}

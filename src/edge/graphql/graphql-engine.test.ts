import { describe, expect, it } from 'vitest';
import { executableSchema } from './executable-schema.ts';
import { graphqlEngine } from './graphql-engine.ts';

describe('graphqlEngine, metric labels', () => {
  const engine = graphqlEngine(executableSchema(), false);
  const labelOf = (query: string, operationName?: string) => engine.prepare(query, operationName).operation;

  it('labels a request by its operation name, or its first root field', () => {
    expect(labelOf('query Feed { recentPosts { items { id } } }')).toBe('Feed');
    expect(labelOf('{ recentPosts { items { id } } }')).toBe('recentPosts');
    expect(labelOf('query A { __typename } query B { __typename }', 'B')).toBe('B');
    expect(labelOf('{ nope')).toBe('invalid');
  });

  it('keeps at most 200 names; later new ones count as other, known ones keep theirs', () => {
    for (let i = 0; i < 300; i++) labelOf(`query Op${i} { __typename }`);
    expect(labelOf('query Op10 { __typename }')).toBe('Op10');
    expect(labelOf('query Op299 { __typename }')).toBe('other');
    expect(labelOf('query Feed { __typename }')).toBe('Feed');
  });
});

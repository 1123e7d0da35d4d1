import { useCallback } from 'react';
import { gql } from '../api/client.ts';
import { listCommentsQuery } from '../api/documents.ts';
import type { Comment, Connection } from '../api/types.ts';
import { usePagedList, type PagedList } from './paged-list.ts';

/** A post's comments, oldest first, twenty a page: the same list for members and guests. */
export function useComments(postId: string): PagedList<Comment> {
  const page = useCallback(
    async (nextToken: string | null) =>
      (
        await gql<{ listComments: Connection<Comment> }>(listCommentsQuery, {
          postId,
          limit: 20,
          nextToken,
        })
      ).listComments,
    [postId],
  );
  return usePagedList(page, postId);
}

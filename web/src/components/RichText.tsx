import { Fragment } from 'react';
import { Link } from '../router.tsx';

// As the server reads them (src/domain/social/text-tags.ts): a tag has a letter; a mention is a username.
const tokens =
  /((?<![\p{L}\p{N}_&#])#[\p{L}\p{M}\p{N}_]*[\p{L}\p{M}_][\p{L}\p{M}\p{N}_]*|(?<![\p{L}\p{N}_@.])@[A-Za-z0-9_.]*[A-Za-z0-9_])/gu;

/** A post's or comment's text with its #hashtags linked to their page and its @mentions to the profile. */
export function RichText({ text }: { text: string }) {
  return (
    <>
      {text.split(tokens).map((part, index) => {
        if (index % 2 === 0) return <Fragment key={index}>{part}</Fragment>;
        const name = part.slice(1);
        const to = part.startsWith('#')
          ? `/tag/${encodeURIComponent(name.normalize('NFC').toLowerCase())}`
          : `/u/${encodeURIComponent(name.toLowerCase())}`;
        return (
          <Link key={index} to={to}>
            {part}
          </Link>
        );
      })}
    </>
  );
}

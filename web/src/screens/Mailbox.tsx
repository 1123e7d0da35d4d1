import { useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { RelativeTime } from '../components/RelativeTime.tsx';
import { codeIn, readMailbox, type MailboxMessage } from '../lib/dev-mailbox.ts';
import { Link, useLocation } from '../router.tsx';

/**
 * The dev mailbox: what a development server "mailed" or texted (SMS codes), so codes can be read
 * without a mail server or SNS.
 */
export function Mailbox() {
  const { search } = useLocation();
  const to = search.get('to') ?? undefined;
  const [messages, setMessages] = useState<MailboxMessage[] | undefined | null>(null);
  const [error, setError] = useState<unknown>();

  const load = useCallback(() => {
    readMailbox(to).then((read) => {
      setMessages(read);
      setError(undefined);
    }, setError);
  }, [to]);

  useEffect(() => {
    load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [load]);

  return (
    <section>
      <h1>Dev mailbox</h1>
      <p className="muted">
        Mail a development server sent{to ? ` to ${to}` : ''}, newest first. It refreshes by itself.
      </p>
      <ErrorNote error={error} onRetry={load} />
      {messages === undefined && <p>This server has no dev mailbox: codes go out by email.</p>}
      {messages?.length === 0 && <p>No mail yet.</p>}
      <ul className="mailbox" aria-label="Messages">
        {messages?.map((message) => {
          const code = codeIn(message.text);
          return (
            <li key={`${message.at}-${message.to}`} className="card">
              <p>
                <strong>{message.subject}</strong>{' '}
                <span className="muted">
                  {message.channel === 'sms' ? 'text message to' : 'to'} {message.to}
                </span>{' '}
                · <RelativeTime iso={message.at} />
              </p>
              <pre>{message.text}</pre>
              {code && message.purpose === 'confirm' && (
                <Link
                  className="button"
                  to={`/confirm?email=${encodeURIComponent(message.to)}&code=${code}`}
                  aria-label={`Use code ${code} for ${message.to}`}
                >
                  Use code {code}
                </Link>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

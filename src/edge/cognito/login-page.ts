/**
 * The hosted UI's pages: plain, accessible HTML forms (labels, autocomplete
 * hints, an alert region for errors) that work without JavaScript.
 */

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
label{display:block;margin-top:1rem;font-weight:600}
input{display:block;width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}
[role=alert]{border:2px solid #b00020;padding:.5rem;color:#b00020}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function alert(error: string | undefined): string {
  return error === undefined ? '' : `<p role="alert" id="form-error">${escapeHtml(error)}</p>\n`;
}

function describedBy(error: string | undefined): string {
  return error === undefined ? '' : ' aria-describedby="form-error" aria-invalid="true"';
}

export function loginPage(options: {
  action: string;
  csrf: string;
  error?: string | undefined;
  username?: string | undefined;
  providers: { name: string; href: string }[];
}): string {
  const providers = options.providers.length
    ? `<h2>Or sign in with</h2>\n<ul>\n${options.providers
        .map((p) => `<li><a href="${escapeHtml(p.href)}">${escapeHtml(p.name)}</a></li>`)
        .join('\n')}\n</ul>`
    : '';
  return page(
    'Sign in',
    `<h1>Sign in</h1>
${alert(options.error)}<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="_csrf" value="${escapeHtml(options.csrf)}">
<label for="username">Email</label>
<input id="username" name="username" type="email" autocomplete="username" required value="${escapeHtml(options.username ?? '')}"${describedBy(options.error)}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${describedBy(options.error)}>
<button type="submit">Sign in</button>
</form>
${providers}`,
  );
}

export function mfaPage(options: {
  action: string;
  csrf: string;
  session: string;
  error?: string | undefined;
}): string {
  return page(
    'Enter your code',
    `<h1>Enter your code</h1>
${alert(options.error)}<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="_csrf" value="${escapeHtml(options.csrf)}">
<input type="hidden" name="session" value="${escapeHtml(options.session)}">
<label for="code">Code from your authenticator app</label>
<input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" required${describedBy(options.error)}>
<button type="submit">Verify</button>
</form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p role="alert">${escapeHtml(message)}</p>`);
}

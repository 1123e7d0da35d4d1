/**
 * A small browser for the hosted-UI tests: fetch with manual redirects and a
 * cookie jar per origin (Max-Age=0 deletes), so each redirect can be inspected.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookies(url: string): Map<string, string> {
    const origin = new URL(url).origin;
    let cookies = this.jar.get(origin);
    if (!cookies) this.jar.set(origin, (cookies = new Map()));
    return cookies;
  }

  /** One request, no redirect followed; cookies stored. */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const cookies = this.cookies(url);
    const headers: Record<string, string> = {};
    if (cookies.size) headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const expired = attributes.some((attribute) => /^max-age=0$/i.test(attribute));
      if (expired) cookies.delete(name);
      else cookies.set(name, pair.slice(index + 1));
    }
    return response;
  }

  /**
   * Follows redirects from `url` until a page answers or the next hop leaves the servers in
   * `stopAt` (an app's callback, which nobody serves); returns the last response and URL.
   */
  async follow(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
    stop: (url: string) => boolean = () => false,
  ): Promise<{ response: Response; url: string }> {
    let current = url;
    let response = await this.request(current, init);
    for (let hops = 0; hops < 20 && response.status >= 300 && response.status < 400; hops++) {
      const location = new URL(response.headers.get('location') ?? '', current).toString();
      await response.arrayBuffer();
      if (stop(location)) return { response, url: location };
      current = location;
      response = await this.request(current);
    }
    return { response, url: current };
  }
}

/** The hidden and named inputs of the first form on a page, and its action. */
export function formOf(html: string, base: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(match[0])?.[1];
    const value = /value="([^"]*)"/.exec(match[0])?.[1] ?? '';
    if (name) fields[name] = value.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return { action: new URL(action.replace(/&amp;/g, '&'), base).toString(), fields };
}

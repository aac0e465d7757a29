import { createHash } from 'node:crypto';
import { renderPlaygroundPage } from './graphiql.page';

describe('renderPlaygroundPage', () => {
  const page = renderPlaygroundPage({ endpoint: '/graphql' });
  const inlineScripts = [...page.html.matchAll(/<script(?:\s[^>]*)?>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');

  it('allows exactly its own inline scripts by hash, and nothing by URL', () => {
    const hashes = inlineScripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
    const scriptSrc = /script-src ([^;]+)/.exec(page.contentSecurityPolicy)?.[1]?.split(' ');
    expect(scriptSrc).toEqual(hashes);
    expect(page.contentSecurityPolicy).not.toMatch(/unsafe-eval|https?:|\*/);
    expect(page.contentSecurityPolicy).toContain("default-src 'none'");
  });

  it('loads the graphql-ws browser build and the fetcher before GraphiQL renders with that fetcher', () => {
    expect(inlineScripts).toHaveLength(3);
    expect(inlineScripts[0]).toContain('graphqlWs');
    expect(inlineScripts[1]).toContain('window.xrayPlaygroundFetcher =');
    expect(inlineScripts[2]).toContain('"fetcher":window.xrayPlaygroundFetcher');
    expect(page.html).toContain('<script data-endpoint="/graphql">');
  });

  it('prefills the headers editor with X-API-Key and does not persist headers', () => {
    expect(inlineScripts[2]).toContain('"headers":"{\\n  \\"X-API-Key\\": \\"\\"\\n}"');
    expect(inlineScripts[2]).toContain('"shouldPersistHeaders":false');
  });

  it('references no external resource', () => {
    expect(page.html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?\/\//i);
    expect(page.html).not.toMatch(/@import|url\(\s*["']?https?:/i);
  });

  it('escapes the endpoint attribute', () => {
    const odd = renderPlaygroundPage({ endpoint: '/graphql"><script>' });
    expect(odd.html).toContain('data-endpoint="/graphql&quot;>&lt;script>"');
  });
});

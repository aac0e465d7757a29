import { tileSourceFor } from './tile-source';

describe('tileSourceFor', () => {
  it('admits the origin of a template without host placeholders', () => {
    expect(tileSourceFor('https://tiles.example.com/{z}/{x}/{y}.png')).toBe('https://tiles.example.com');
  });

  it('turns a rotating-subdomain placeholder into a wildcard label', () => {
    expect(tileSourceFor('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe(
      'https://*.tile.openstreetmap.org',
    );
  });

  it('widens to the leftmost wildcard CSP allows when the placeholder is not the first label', () => {
    expect(tileSourceFor('https://tiles.{s}.example.com/{z}/{x}/{y}.png')).toBe('https://*.example.com');
    expect(tileSourceFor('https://{s}.a.{s}.example.com:8443/{z}/{x}/{y}.png')).toBe('https://*.example.com:8443');
  });

  it('keeps a port', () => {
    expect(tileSourceFor('http://127.0.0.1:8080/{z}/{x}/{y}.png')).toBe('http://127.0.0.1:8080');
  });

  it('refuses what is not a URL', () => {
    expect(() => tileSourceFor('not a url')).toThrow();
  });
});

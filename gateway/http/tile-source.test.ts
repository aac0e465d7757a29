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

  it('keeps a port', () => {
    expect(tileSourceFor('http://127.0.0.1:8080/{z}/{x}/{y}.png')).toBe('http://127.0.0.1:8080');
  });

  it('refuses what is not a URL', () => {
    expect(() => tileSourceFor('not a url')).toThrow();
  });
});

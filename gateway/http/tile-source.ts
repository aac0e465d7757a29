/**
 * The CSP source that admits a dashboard tile URL template such as
 * `https://{s}.tile.example.org/{z}/{x}/{y}.png`. A `{s}` (or any `{…}`) in the host stands for
 * rotating subdomains. CSP allows a wildcard only as the leftmost label, so every label up to the
 * last one holding a placeholder becomes one `*`; placeholders in the path do not matter to CSP.
 */
export function tileSourceFor(template: string): string {
  const placeholder = 'tile-placeholder';
  const url = new URL(template.replace(/\{[^}]*\}/g, placeholder));
  const labels = url.host.split('.');
  const lastVarying = labels.findLastIndex((label) => label.includes(placeholder));
  const host = lastVarying < 0 ? url.host : ['*', ...labels.slice(lastVarying + 1)].join('.');
  return `${url.protocol}//${host}`;
}

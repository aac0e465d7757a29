/**
 * The CSP source that admits a dashboard tile URL template such as
 * `https://{s}.tile.example.org/{z}/{x}/{y}.png`. A `{s}` (or any `{…}`) in the host stands for
 * rotating subdomains, so that host label becomes `*`; placeholders in the path do not matter to CSP.
 */
export function tileSourceFor(template: string): string {
  const placeholder = 'tile-placeholder';
  const url = new URL(template.replace(/\{[^}]*\}/g, placeholder));
  const host = url.host
    .split('.')
    .map((label) => (label.includes(placeholder) ? '*' : label))
    .join('.');
  return `${url.protocol}//${host}`;
}

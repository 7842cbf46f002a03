/**
 * The Content-Security-Policy of the app's pages (console, wall, field): only the app's own code
 * and styles, the network sources each page needs, images and media also from blob:/data: (photo
 * previews, video tiles, snapshots), nothing framed, posted elsewhere or plugged in.
 */
export function pageContentSecurityPolicy(connect: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "img-src 'self' blob: data:",
    "media-src 'self' blob: data:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

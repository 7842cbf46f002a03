/** What the Electron preload exposes (absent when the page is served to a plain browser). */
interface Window {
  gridConsole?: { readonly hostUrl: string };
}

/** MapLibre's worker script, emitted by the build as a file of its own (a same-origin module worker, allowed by script-src 'self'). */
declare module 'maplibre-gl/dist/maplibre-gl-worker.mjs?url' {
  const url: string;
  export default url;
}

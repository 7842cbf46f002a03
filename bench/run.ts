export {};
/** `npm run bench`: every benchmark in turn; each prints its own figures. `npm run bench -- hub` runs one. */
const all = {
  recommend: () => import('./recommend'),
  hub: () => import('./hub'),
  intake: () => import('./intake'),
  console: () => import('./console'),
  continuity: () => import('./continuity'),
  'video-wall': () => import('./video-wall'),
  'tile-soak': () => import('./tile-soak'),
  map: () => import('./map'),
  callback: () => import('./callback'),
  stats: () => import('./stats'),
  'wall-screen': () => import('./wall-screen'),
  ledgers: () => import('./ledgers'),
} as const;

const pick = process.argv.slice(2).filter((a): a is keyof typeof all => a in all);
for (const name of pick.length > 0 ? pick : (Object.keys(all) as (keyof typeof all)[])) {
  console.log(`\n=== bench: ${name} ===`);
  const mod = (await all[name]()) as { main: () => Promise<void> };
  await mod.main();
}

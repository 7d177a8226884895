/* The page's data loaders: registered by each page script, run at start and again when the live
   connection cannot replay what it missed (sync:reset). */

const loaders = [];

export function onLoad(fn) {
  loaders.push(fn);
}

export async function reloadAll() {
  await Promise.all(loaders.map((fn) => Promise.resolve().then(fn).catch((e) => console.error(e))));
}

/** fn at most once per `ms` however many events arrive together (trailing edge). */
export function debounce(fn, ms = 250) {
  let t = null;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}

/* The page's data loaders: registered by each page script, run at start and again when the live
   connection cannot replay what it missed (sync:reset). */

const loaders = [];

export function onLoad(fn) {
  loaders.push(fn);
}

export async function reloadAll() {
  await Promise.all(loaders.map((fn) => Promise.resolve().then(fn).catch((e) => console.error(e))));
}

/** fn at most once per `ms` however many events arrive together (trailing edge). A reload that fails
    (the server went away past api()'s retries) is logged, not thrown: the connection indicator already
    says so, and the reconnect's sync or the next event loads again. */
export function debounce(fn, ms = 250) {
  let t = null;
  const run = () => Promise.resolve().then(fn).catch((e) => console.warn('reload failed; retried on the next change', e));
  return () => { clearTimeout(t); t = setTimeout(run, ms); };
}

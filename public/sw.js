// forecourt's service worker: keeps the app shell on the device so the app starts with no network.
//
// This file is a template: `cargo xtask build` replaces the version and the precache list
// (see ARCHITECTURE.md, "The built site"). Data never passes through here: the app keeps its
// records in IndexedDB, and /api/ requests always go to the network.
"use strict";

const VERSION = "__FORECOURT_VERSION__";
const PRECACHE = __FORECOURT_PRECACHE__;
const CACHE_PREFIX = "forecourt-";
const CACHE = CACHE_PREFIX + VERSION;
const SHELL = "/index.html";

// Content-hashed build outputs (app-<16 hex>.js, app-<16 hex>_bg.wasm, style-<16 hex>.css, the
// lazy pages' <group>-<16 hex>.pack) never change.
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css|pack)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      // `reload` skips the HTTP cache so the shell is the one this version was built with.
      cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })))
    )
  );
  // No skipWaiting here: a new version waits until the user chooses 刷新以更新 / Reload to update,
  // so a page is never switched to new code in the middle of a task.
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith(CACHE_PREFIX) && key !== CACHE)
            .map((key) => caches.delete(key))
        )
      )
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") {
    self.skipWaiting();
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The API is never cached: the app decides itself what to do when the network is down.
  if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return;
  // The customer's progress page (/s/{token}) is the server's, online only: never the app shell.
  if (url.pathname.startsWith("/s/")) return;

  if (request.mode === "navigate") {
    event.respondWith(navigation(request));
    return;
  }
  if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
    return;
  }
  event.respondWith(networkFirst(request));
});

// Pages: the network when it answers (so a new deployment is seen at once), else the cached shell;
// every route of the app is the same index.html.
async function navigation(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const cache = await caches.open(CACHE);
    const shell = (await cache.match(SHELL)) || (await cache.match("/"));
    if (shell) return shell;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

// The manifest, icons and anything else of the shell: fresh when online, cached when not.
async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    return await fetch(request);
  } catch (err) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    throw err;
  }
}

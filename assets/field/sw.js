// sw.js - the offline mode's service worker (SPEC 9), scope "/". Online,
// every request goes to the server as usual. When the network fails:
//   - a label's URL (/L/{serial}, or a Digital Link /01/.../21/...) is
//     answered from the signed snapshot kept by the field page, with the
//     verdict and reason the server would give, marked as an offline
//     check; a snapshot that does not verify, has expired, or is older
//     than one already seen is never used;
//   - the inspection form's POST is kept in IndexedDB and sent later: on
//     opening a console page (here), on the `online` event of the field
//     page, and by Background Sync where the browser has it;
//   - the field page and its files come from the cache.
import { decodeSnapshot, openSnapshot, parseCode, SnapshotError } from '/assets/field/snapshot.js';
import { verdictPage, refusalPage } from '/assets/field/offline.js';
import * as store from '/assets/field/store.js';

const CACHE = 'ocop-field-v1';
const SHELL = [
	'/console/field',
	'/assets/field/field.js',
	'/assets/field/store.js',
	'/assets/field/offline.js',
	'/assets/field/snapshot.js',
	'/assets/field/inspect.js',
	'/assets/field/style.css',
];
const SYNC_TAG = 'ocop-inspections';

self.addEventListener('install', (e) => {
	e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
	e.waitUntil((async () => {
		for (const k of await caches.keys()) if (k !== CACHE) await caches.delete(k);
		await self.clients.claim();
	})());
});

self.addEventListener('sync', (e) => {
	if (e.tag === SYNC_TAG) e.waitUntil(store.sendQueue());
});

// the field page tells the worker to send what waits
self.addEventListener('message', (e) => {
	if (e.data === 'send') e.waitUntil(store.sendQueue());
});

const isLabel = (path) => /^\/l\/[^/]+\/?$/i.test(path) || /^\/01\/.+\/21\/[^/]+\/?$/.test(path);

self.addEventListener('fetch', (e) => {
	const url = new URL(e.request.url);
	if (url.origin !== self.location.origin) return;
	const r = e.request;
	if (r.method === 'GET' && isLabel(url.pathname) && r.mode === 'navigate')
		e.respondWith(networkOr(r, () => offlineLabel(url)));
	else if (r.method === 'POST' && url.pathname === '/console/field/inspect')
		e.respondWith(inspect(r));
	else if (r.method === 'GET' && (SHELL.includes(url.pathname) || url.pathname === '/sw.js'))
		e.respondWith(networkOr(r, async () => (await caches.match(url.pathname)) || Response.error(), true));
	// opening any console page while online sends what waits
	if (r.mode === 'navigate' && url.pathname.startsWith('/console/') && navigator.onLine)
		e.waitUntil(store.queueCount().then((n) => (n ? store.sendQueue() : null)).catch(() => null));
});

// The server's answer; fallback's when the network fails.
async function networkOr(request, fallback, keep) {
	try {
		const resp = await fetch(request);
		if (keep && resp.ok) {
			const copy = resp.clone();
			caches.open(CACHE).then((c) => c.put(new URL(request.url).pathname, copy));
		}
		return resp;
	} catch {
		return fallback();
	}
}

const html = (body, status = 200) => new Response(body, {
	status,
	headers: {
		'Content-Type': 'text/html; charset=utf-8',
		'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
		'Cache-Control': 'no-store',
	},
});

// The snapshot kept by the field page, verified again now: it may have
// expired, or been altered in storage since. {snap} or {why, info}.
async function snapshot() {
	const kept = await store.get('snapshot');
	if (!kept) return { why: 'none' };
	try {
		const minSeq = (await store.get('max_seq')) ?? 0;
		const snap = await openSnapshot(kept.bytes, kept.keys, { minSeq });
		return { snap, info: { issued_at: snap.info.issued_at } };
	} catch (err) {
		const why = err instanceof SnapshotError ? err.code : 'format';
		// the data's time only from a file whose signature verified
		const signed = why === 'expired' || why === 'old_seq';
		return { why, info: signed ? { issued_at: decodeSnapshot(kept.bytes).header.issued_at } : null };
	}
}

async function formValues(code, notice) {
	const session = (await store.get('session')) || {};
	return {
		csrf: session.csrf || '', province: session.province || '',
		place: (await store.get('place')) || '', id: 'web-' + crypto.randomUUID(), code, notice,
	};
}

async function offlineLabel(url, notice) {
	const lang = url.searchParams.get('lang') === 'en' ? 'en' : 'vi';
	const now = Math.floor(Date.now() / 1000);
	const { snap, why, info } = await snapshot();
	let code;
	try {
		code = parseCode(url.pathname);
	} catch {
		return html(refusalPage('bad_input', info, lang, null, now), 400);
	}
	if (code.kind === 'dl_product') return html(refusalPage('product', info, lang, null, now));
	const f = await formValues(code.serial || code.foreign, notice);
	if (!snap) return html(refusalPage(why, info, lang, f, now), 503);
	let rec;
	try {
		rec = await snap.judge(code);
	} catch (err) {
		return html(refusalPage(err.code || 'format', info, lang, f, now), 503);
	}
	const p = snap.header.products.find((x) => x.code === rec.product?.code);
	const full = p && rec.recognition ? p.recognitions.find((r) => r.decision_no === rec.recognition.decision_no) : null;
	return html(verdictPage(rec, full, info, lang, f, now), rec.verdict === 'unknown' ? 404 : 200);
}

// The inspection form: the server's answer when it can be reached, else
// kept here to be sent later.
async function inspect(request) {
	const copy = request.clone();
	try {
		return await fetch(request);
	} catch {
		const form = await copy.formData();
		const lat = parseFloat(form.get('lat')), lon = parseFloat(form.get('lon'));
		const item = {
			id: form.get('id'), code: form.get('code'), scanned_at: new Date().toISOString(),
			place: (form.get('place') || '').trim(),
		};
		if (Number.isFinite(lat) && Number.isFinite(lon)) {
			item.lat = lat;
			item.lon = lon;
		}
		await store.enqueue(item);
		if (item.place) await store.put('place', item.place);
		try {
			await self.registration.sync.register(SYNC_TAG);
		} catch {
			// no Background Sync: sent on `online` or on opening the console
		}
		const lang = form.get('lang') === 'en' ? 'en' : 'vi';
		return offlineLabel(new URL(`/L/${item.code}?lang=${lang}`, self.location.origin),
			lang === 'en' ? 'Kept on this phone: it will be sent when online.'
				: 'Đã lưu trên máy: sẽ tự gửi khi có mạng.');
	}
}

// store.js - what the offline mode keeps in the browser (IndexedDB), for
// the field page (field.js) and the service worker (sw.js):
//   "data":  "snapshot" {bytes, keys, seq, province, fetched_at},
//            "session" {csrf, province, lang}, "max_seq" (the highest seq
//            ever stored: a lower one is refused), "place" (the last one)
//   "queue": the inspections recorded offline, by client id, until the
//            server has answered for them
// and the sending of the queue to POST /console/field/scans.

const DB = 'ocop-field';

function req(r) {
	return new Promise((resolve, reject) => {
		r.onsuccess = () => resolve(r.result);
		r.onerror = () => reject(r.error);
	});
}

export function openDb() {
	const r = indexedDB.open(DB, 1);
	r.onupgradeneeded = () => {
		r.result.createObjectStore('data');
		r.result.createObjectStore('queue', { keyPath: 'id' });
	};
	return req(r);
}

async function tx(store, mode, fn) {
	const db = await openDb();
	try {
		const t = db.transaction(store, mode);
		const done = new Promise((resolve, reject) => {
			t.oncomplete = resolve;
			t.onerror = () => reject(t.error);
			t.onabort = () => reject(t.error);
		});
		const out = await fn(t.objectStore(store));
		await done;
		return out;
	} finally {
		db.close();
	}
}

export const get = (key) => tx('data', 'readonly', (s) => req(s.get(key)));
export const put = (key, value) => tx('data', 'readwrite', (s) => req(s.put(value, key)));

export const queued = () => tx('queue', 'readonly', (s) => req(s.getAll()));
export const queueCount = () => tx('queue', 'readonly', (s) => req(s.count()));

// Keep an inspection until the server answers; the same id twice is one.
export const enqueue = (item) => tx('queue', 'readwrite', (s) => req(s.put(item)));

const forget = (ids) => tx('queue', 'readwrite', (s) => Promise.all(ids.map((id) => req(s.delete(id)))));

// Send what waits. Returns {sent, results} (the server's answers, which
// count), or {sent: 0, status} when it could not: offline, signed out
// (401), the page's csrf no longer the session's (403). Items the server
// calls malformed can never be stored: they are dropped, and returned in
// rejected.
export async function sendQueue() {
	const items = await queued();
	if (items.length === 0) return { sent: 0, results: [] };
	const session = await get('session');
	if (!session) return { sent: 0, status: 401 };
	const scans = items.map((it) => {
		const s = { id: it.id, code: it.code, scanned_at: it.scanned_at };
		if (it.place) s.place = it.place;
		if (typeof it.lat === 'number' && typeof it.lon === 'number') {
			s.lat = it.lat;
			s.lon = it.lon;
		}
		return s;
	});
	const body = new URLSearchParams({ csrf: session.csrf, scans: JSON.stringify({ scans }) });
	let r;
	try {
		r = await fetch('/console/field/scans', {
			method: 'POST', body, credentials: 'same-origin', redirect: 'manual',
			headers: { Accept: 'application/json' },
		});
	} catch {
		return { sent: 0, status: 0 };
	}
	if (r.status === 422) {
		const e = await r.json();
		const bad = new Set(e.error.items.map((x) => items[x.index].id));
		await forget([...bad]);
		const again = await sendQueue();
		return { ...again, rejected: [...bad] };
	}
	if (r.status !== 200) return { sent: 0, status: r.status };
	const { results } = await r.json();
	await forget(results.map((x) => x.id));
	await put('last_sync', { at: new Date().toISOString(), results });
	return { sent: results.length, results };
}

// field.js - the offline mode's page /console/field (SPEC 9): installs the
// service worker (sw.js, scope /), downloads the signed snapshot through
// the console session and keeps it in IndexedDB once it verifies, asks
// for persistent storage, shows the data's time, and sets
// data-offline="ready" on <body> once the data is kept and the worker
// controls the page. It also sends the inspections recorded offline, now
// and on every `online` event, and shows how many wait.
import { openSnapshot } from '/assets/field/snapshot.js';
import { when, STALE_AFTER } from '/assets/field/offline.js';
import * as store from '/assets/field/store.js';

const body = document.body;
const root = document.getElementById('field');
const lang = document.documentElement.lang === 'en' ? 'en' : 'vi';
const L = (vi, en) => (lang === 'en' ? en : vi);
const $ = (id) => document.getElementById(id);

// tone: 'error', 'done' (ready, sent) or nothing
function say(text, tone) {
	$('status').textContent = text;
	$('status').className = tone || '';
}

function show(kept) {
	if (!kept) return;
	$('data-at').textContent = when(kept.issued_at, lang);
	$('data-expires').textContent = when(kept.expires_at, lang);
	$('data-labels').textContent = kept.labels.toLocaleString(lang === 'en' ? 'en' : 'vi');
	$('data-province').textContent = kept.province;
	const old = Date.now() / 1000 - Date.parse(kept.issued_at) / 1000 > STALE_AFTER;
	$('stale').hidden = !old;
	$('stale').textContent = old ? L('Dữ liệu đã cũ hơn 48 giờ: hãy tải lại khi có mạng.',
		'The data is more than 48 hours old: download it again while online.') : '';
}

async function showWaiting() {
	const n = await store.queueCount();
	$('waiting').textContent = String(n);
	$('send').hidden = n === 0;
}

// Download and verify the snapshot; kept only when it verifies and its
// seq is not lower than any kept before.
async function download(fresh) {
	const province = root.dataset.province;
	const q = province ? `?province=${encodeURIComponent(province)}` : '';
	const old = fresh ? null : await store.get('snapshot');
	// the same bytes as those kept: 304, nothing downloaded again
	const headers = old && old.etag ? { 'If-None-Match': old.etag } : {};
	const [kr, sr] = await Promise.all([
		fetch('/.well-known/ocop-keys.json', { cache: 'no-store' }),
		fetch(`/api/v1/snapshot${q}`, { credentials: 'same-origin', cache: 'no-store', headers }),
	]);
	if (!kr.ok || !(sr.ok || sr.status === 304)) throw new Error(`HTTP ${kr.ok ? sr.status : kr.status}`);
	const keys = await kr.json();
	const bytes = sr.status === 304 ? old.bytes : new Uint8Array(await sr.arrayBuffer());
	const minSeq = (await store.get('max_seq')) ?? 0;
	let snap;
	try {
		snap = await openSnapshot(bytes, keys, { minSeq });
	} catch (err) {
		// the bytes kept were damaged since: download them whole
		if (sr.status === 304) return download(true);
		throw err;
	}
	const info = snap.info;
	const kept = { bytes, keys, seq: info.seq, province: info.province, issued_at: info.issued_at,
		expires_at: info.expires_at, labels: info.labels, etag: sr.headers.get('ETag') || '',
		fetched_at: new Date().toISOString() };
	await store.put('snapshot', kept);
	await store.put('max_seq', info.seq);
	return kept;
}

async function controlled() {
	if (navigator.serviceWorker.controller) return;
	await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
}

async function send() {
	const r = await store.sendQueue();
	if (r.sent > 0)
		say(L(`✓ Đã gửi ${r.sent} lượt kiểm tra.`, `✓ ${r.sent} inspections sent.`), 'done');
	else if (r.status === 401 || r.status === 403)
		say(L('Chưa gửi được: hãy đăng nhập lại.', 'Not sent: sign in again.'), 'error');
	await showWaiting();
	return r;
}

async function prepare() {
	if (!('serviceWorker' in navigator) || !('indexedDB' in window)) {
		say(L('Trình duyệt này không hỗ trợ chế độ ngoại tuyến.', 'This browser has no offline mode.'), 'error');
		return;
	}
	body.dataset.offline = 'loading';
	await store.put('session', { csrf: root.dataset.csrf, province: root.dataset.province, lang });
	const reg = navigator.serviceWorker.register('/sw.js', { scope: '/', type: 'module' });
	show(await store.get('snapshot'));
	await showWaiting();
	let kept;
	try {
		say(L('Đang tải dữ liệu…', 'Downloading the data…'));
		kept = await download(false);
	} catch (err) {
		kept = await store.get('snapshot');
		say(kept ? L('Không tải được dữ liệu mới; dùng dữ liệu đã có.', 'Could not download new data; using the data kept.')
			: L(`Không tải được dữ liệu: ${err.message}`, `Could not download the data: ${err.message}`), 'error');
		if (!kept) {
			body.dataset.offline = 'failed';
			return;
		}
	}
	show(kept);
	if (navigator.storage && navigator.storage.persist) await navigator.storage.persist();
	await reg;
	await controlled();
	body.dataset.offline = 'ready';
	if (kept.fetched_at && Date.now() - Date.parse(kept.fetched_at) < 60000)
		say(L('✓ Sẵn sàng kiểm tra ngoại tuyến.', '✓ Ready for offline checks.'), 'done');
	else
		say(L('Sẵn sàng, với dữ liệu đã có: không tải được dữ liệu mới.',
			'Ready, with the data kept: new data could not be downloaded.'), 'error');
	if (navigator.onLine) await send();
}

$('refresh').addEventListener('click', () => prepare());
$('send').addEventListener('click', () => send());
window.addEventListener('online', () => send());
prepare();

#!/usr/bin/env node
// The inspectors' offline mode (SPEC 9) in Debian's headless Chromium at
// 360 x 740, driven by playwright-core: an inspector signs in, opens
// /console/field and waits for data-offline="ready"; online, a label's
// page has the inspection panel; with the network off, label URLs are
// answered from the snapshot, an inspection is kept in the browser, and
// once back online it is sent; a tampered and an expired snapshot are
// refused, so is one older than the last seen; data older than 48 hours
// is used with a warning. axe-core (WCAG 2.1 A/AA) runs on the field page and the page
// with the panel.
//
//   node tests/browser/field.mjs --base URL --login L --password P
//        --valid SERIAL --revoked SERIAL --revoked-on DAY --unknown SERIAL
//        [--dl PATH]
//        --expired FILE --stale FILE --shots DIR
//
// Prints one line per check, "ok ..." or "FAIL ...", then "sent ID" for
// the inspection recorded offline (the caller checks it was stored once);
// exits 1 when a check failed, 2 on usage errors.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.OCOP_CHROMIUM || '/usr/bin/chromium';
const MARK = 'Kiểm tra ngoại tuyến — dữ liệu lúc';

function usage(msg) {
	process.stderr.write(`field.mjs: ${msg}\n`);
	process.exit(2);
}

const o = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
	if (!argv[i].startsWith('--') || i + 1 >= argv.length) usage(`bad argument '${argv[i]}'`);
	o[argv[i].slice(2)] = argv[i + 1];
}
for (const k of ['base', 'login', 'password', 'valid', 'revoked', 'revoked-on', 'unknown', 'expired', 'stale', 'shots'])
	if (!o[k]) usage(`--${k} is required`);

let failed = false;
function check(ok, what) {
	process.stdout.write(`${ok ? 'ok' : 'FAIL'} ${what}\n`);
	if (!ok) failed = true;
}

async function axe(page, what) {
	await page.evaluate(AXE_SOURCE);
	const res = await page.evaluate(() =>
		// eslint-disable-next-line no-undef
		axe.run(document, {
			runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
			resultTypes: ['violations'],
		}));
	for (const v of res.violations)
		for (const n of v.nodes.slice(0, 5))
			process.stdout.write(`  axe ${v.id} at ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}\n`);
	check(res.violations.length === 0, `axe: no WCAG 2.1 AA violation on ${what}`);
}

// What the page at path says when the network is off.
async function offlineVerdict(page, path) {
	await page.goto(o.base + path, { waitUntil: 'load' });
	return page.evaluate(() => ({
		verdict: document.body.dataset.offlineVerdict || '',
		why: document.body.dataset.why || '',
		reason: document.body.dataset.reason || '',
		title: document.querySelector('h1')?.textContent || '',
		text: document.body.innerText,
	}));
}

// The verdict the server gives online (its JSON record).
async function serverRecord(request, serial) {
	const r = await request.get(`${o.base}/api/v1/labels/${serial}`);
	return r.json();
}

async function main() {
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic'],
	});
	const context = await browser.newContext({
		viewport: { width: 360, height: 740 },
		permissions: ['geolocation'],
		geolocation: { latitude: 10.4603, longitude: 105.6329, accuracy: 20 },
		locale: 'vi-VN',
	});
	const page = await context.newPage();
	const cspErrors = [];
	page.on('console', (m) => {
		if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
	});
	try {
		// sign in
		await page.goto(`${o.base}/console/login`);
		await page.fill('input[name=login]', o.login);
		await page.fill('input[name=password]', o.password);
		await Promise.all([page.waitForURL(/\/console\/$/), page.click('button[type=submit]')]);
		check(true, 'signed in');

		// the offline mode's page
		await page.goto(`${o.base}/console/field`);
		await page.waitForSelector('body[data-offline=ready]', { timeout: 60000 });
		check(true, 'field page: data-offline="ready"');
		const shown = await page.evaluate(() => ({
			at: document.getElementById('data-at').textContent,
			waiting: document.getElementById('waiting').textContent,
			controlled: !!navigator.serviceWorker.controller,
		}));
		check(/^\d\d:\d\d ngày \d\d\/\d\d\/\d{4}$/.test(shown.at), `field page shows the data's time ('${shown.at}')`);
		check(shown.controlled, 'the service worker controls the page');
		check(shown.waiting === '0', `nothing waits (${shown.waiting})`);
		await page.screenshot({ path: `${o.shots}/field-page.png`, fullPage: true });
		await axe(page, '/console/field');

		// online: the label's page with the inspection panel
		const expected = {};
		for (const k of ['valid', 'revoked', 'unknown'])
			expected[k] = await serverRecord(context.request, o[k]);
		await page.goto(`${o.base}/L/${o.valid}`);
		check(await page.isVisible('#inspect-form'), 'online: the label page has the inspection panel');
		await page.waitForFunction(() => !document.getElementById('geo').hidden, null, { timeout: 10000 })
			.catch(() => {});
		const geo = await page.inputValue('input[name=lat]');
		check(geo.startsWith('10.46'), `the position is filled in (${geo})`);
		await page.screenshot({ path: `${o.shots}/label-inspect.png`, fullPage: true });
		await axe(page, `/L/${o.valid} with the inspection panel`);

		// offline: label URLs answered from the snapshot
		await context.setOffline(true);
		const paths = { valid: `/L/${o.valid}`, revoked: `/L/${o.revoked}`, unknown: `/L/${o.unknown}` };
		if (o.dl) paths.dl = o.dl;
		for (const [k, path] of Object.entries(paths)) {
			const got = await offlineVerdict(page, path);
			const want = expected[k === 'dl' ? 'valid' : k];
			check(got.verdict === want.verdict && got.reason === want.reason,
				`offline ${path}: ${got.verdict}/${got.reason}, the server says ${want.verdict}/${want.reason}`);
			check(got.text.includes(MARK), `offline ${path} is marked '${MARK} …'`);
			if (k === 'valid' || k === 'revoked')
				await page.screenshot({ path: `${o.shots}/offline-${k}.png`, fullPage: true });
		}

		// an inspection recorded offline waits in the browser
		await offlineVerdict(page, paths.valid);
		await page.fill('#place', 'Chợ Cao Lãnh');
		const id = await page.inputValue('input[name=id]');
		await Promise.all([page.waitForNavigation(), page.click('#inspect-form button[type=submit]')]);
		const kept = await page.evaluate(() => document.body.innerText);
		check(kept.includes('Đã lưu trên máy'), 'offline: the inspection is kept on the phone');
		await page.goto(`${o.base}/console/field`);
		await page.waitForSelector('body[data-offline=ready]', { timeout: 30000 });
		await page.waitForFunction(() => document.getElementById('waiting').textContent === '1', null, { timeout: 10000 })
			.catch(() => {});
		check(await page.textContent('#waiting') === '1', 'the field page shows 1 inspection waiting');

		// back online: sent on the `online` event, the server's answer counts
		await context.setOffline(false);
		await page.waitForFunction(() => document.getElementById('waiting').textContent === '0', null, { timeout: 20000 })
			.catch(() => {});
		check(await page.textContent('#waiting') === '0', 'online again: the waiting inspection was sent');
		process.stdout.write(`sent ${id}\n`);

		// a tampered snapshot is never used: the revocation's day moved
		// to 2099 in the stored bytes, the revoked label would read valid
		const moved = await page.evaluate(async (day) => {
			const store = await import('/assets/field/store.js');
			const s = await store.get('snapshot');
			const b = s.bytes;
			const n = new DataView(b.buffer, b.byteOffset).getUint32(8);
			const head = new TextDecoder().decode(b.subarray(12, 12 + n));
			const changed = head.split(`"${day}"`).join(`"2099${day.slice(4)}"`);
			b.set(new TextEncoder().encode(changed), 12);
			await store.put('snapshot', s);
			return changed !== head;
		}, o['revoked-on']);
		check(moved, 'the stored snapshot was altered');
		await context.setOffline(true);
		let got = await offlineVerdict(page, paths.revoked);
		check(got.verdict === 'none' && got.why === 'signature' && !got.text.includes('hợp lệ'),
			`tampered snapshot refused (${got.verdict}/${got.why})`);

		// opening the field page online again repairs it
		await context.setOffline(false);
		await page.goto(`${o.base}/console/field`);
		await page.waitForSelector('body[data-offline=ready]', { timeout: 30000 });
		await context.setOffline(true);
		got = await offlineVerdict(page, paths.revoked);
		check(got.verdict === expected.revoked.verdict, `downloaded again: ${got.verdict}`);

		// an expired snapshot is never used
		await context.setOffline(false);
		await page.goto(`${o.base}/console/field`);
		await page.waitForSelector('body[data-offline=ready]', { timeout: 30000 });
		const expired = [...readFileSync(o.expired)];
		await page.evaluate(async (bytes) => {
			const store = await import('/assets/field/store.js');
			const s = await store.get('snapshot');
			s.bytes = new Uint8Array(bytes);
			await store.put('snapshot', s);
		}, expired);
		await context.setOffline(true);
		got = await offlineVerdict(page, paths.valid);
		check(got.verdict === 'none' && got.why === 'expired' && !got.text.includes('hợp lệ'),
			`expired snapshot refused (${got.verdict}/${got.why})`);
		await page.screenshot({ path: `${o.shots}/offline-refused.png`, fullPage: true });

		// older than the last seen: refused; as the newest a phone has,
		// used with the warning that it is old (it predates the
		// revocation: the label still reads valid there)
		const stale = [...readFileSync(o.stale)];
		const put = (bytes, maxSeq) => page.evaluate(async ([b, m]) => {
			const store = await import('/assets/field/store.js');
			const { decodeSnapshot } = await import('/assets/field/snapshot.js');
			const s = await store.get('snapshot');
			s.bytes = new Uint8Array(b);
			s.issued_at = decodeSnapshot(s.bytes).header.issued_at;
			await store.put('snapshot', s);
			if (m !== null) await store.put('max_seq', decodeSnapshot(s.bytes).header.seq);
		}, [bytes, maxSeq]);
		await put(stale, null);
		got = await offlineVerdict(page, paths.revoked);
		check(got.verdict === 'none' && got.why === 'old_seq', `older snapshot refused (${got.verdict}/${got.why})`);
		await put(stale, 1);
		got = await offlineVerdict(page, paths.revoked);
		check(got.verdict === 'valid' && got.text.includes('Dữ liệu đã cũ hơn 48 giờ'),
			`data of three days ago: ${got.verdict}, with the warning that it is old`);
		await page.screenshot({ path: `${o.shots}/offline-stale.png`, fullPage: true });
		check(cspErrors.length === 0, `no Content-Security-Policy violation (${cspErrors.join('; ')})`);
	} catch (e) {
		check(false, `${e.message}`);
	} finally {
		await browser.close();
	}
	process.exit(failed ? 1 : 0);
}

main();

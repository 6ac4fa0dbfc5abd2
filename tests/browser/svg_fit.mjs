#!/usr/bin/env node
// Every text of every inline SVG chart of a page stays inside its picture:
// axis labels, legends and notes are never clipped. Loads the page in
// Debian's headless Chromium (playwright-core), measures each <text> with
// getBBox() against its <svg>'s viewBox, and prints the ones that stick
// out.
//
//   node tests/browser/svg_fit.mjs --url URL [--width 1280]
//        [--header 'Name: value']...
//
// Exit 0 when every text fits (and the page has at least one SVG text or
// none is expected: --min-texts N, default 0), 1 otherwise, 2 on usage
// errors or when the browser cannot start.
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.OCOP_CHROMIUM || '/usr/bin/chromium';

function usage(msg) {
	process.stderr.write(`svg_fit.mjs: ${msg}\n`);
	process.exit(2);
}

const o = { width: 1280, headers: {}, minTexts: 0 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const a = argv[i];
	const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
	if (a === '--url') o.url = val();
	else if (a === '--width') o.width = Number(val());
	else if (a === '--min-texts') o.minTexts = Number(val());
	else if (a === '--header') {
		const h = val();
		const c = h.indexOf(':');
		if (c <= 0) usage(`bad header '${h}'`);
		o.headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
	} else usage(`unknown option '${a}'`);
}
if (!o.url) usage('--url is required');

let browser;
try {
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic'],
	});
} catch (e) {
	usage(`cannot start ${CHROMIUM}: ${e.message}`);
}
let failed = false;
try {
	const context = await browser.newContext({
		viewport: { width: o.width, height: 900 },
		extraHTTPHeaders: o.headers,
	});
	const page = await context.newPage();
	await page.goto(o.url, { waitUntil: 'load' });
	const res = await page.evaluate(() => {
		const out = { texts: 0, bad: [] };
		for (const svg of document.querySelectorAll('svg')) {
			const vb = svg.viewBox.baseVal;
			for (const t of svg.querySelectorAll('text')) {
				const b = t.getBBox();
				out.texts++;
				if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 ||
				    b.x + b.width > vb.x + vb.width + 0.5 ||
				    b.y + b.height > vb.y + vb.height + 0.5)
					out.bad.push(`'${t.textContent}' at ${b.x.toFixed(1)},${b.y.toFixed(1)} ` +
						`${b.width.toFixed(1)}x${b.height.toFixed(1)} outside ` +
						`${vb.width}x${vb.height}`);
			}
		}
		return out;
	});
	for (const b of res.bad) {
		process.stdout.write(`FAIL clipped: ${b}\n`);
		failed = true;
	}
	if (res.texts < o.minTexts) {
		process.stdout.write(`FAIL only ${res.texts} SVG texts, expected at least ${o.minTexts}\n`);
		failed = true;
	}
	if (!failed)
		process.stdout.write(`svg_fit: ${res.texts} texts inside their pictures\n`);
	await context.close();
} catch (e) {
	process.stdout.write(`FAIL ${o.url}: ${e.message}\n`);
	failed = true;
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// A producer in the web console on a phone (360x740, Debian's headless
// Chromium driven by playwright-core): follows the setup link, chooses a
// password, signs in, sees its own products only, issues a batch from the
// form and downloads its labels.pdf and labels.csv. Every console page on
// the way is checked by axe-core for WCAG 2.1 A/AA and for content wider
// than the screen; the dashboard, the issue form and the batch page are
// screenshot.
//
//   node tests/browser/console_producer.mjs --setup LINK --login L
//        --password P --own NAME --other NAME --out DIR [--shots DIR]
//
// Prints "PASS step" / "FAIL step: why" lines; exits 1 when any failed, 2
// when the browser cannot start.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = require('fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.OCOP_CHROMIUM || '/usr/bin/chromium';
const WIDTH = 360, HEIGHT = 740;

const o = {};
for (let i = 2; i < process.argv.length; i += 2)
	o[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const k of ['setup', 'login', 'password', 'own', 'other', 'out'])
	if (!o[k]) {
		process.stderr.write(`console_producer.mjs: --${k} is required\n`);
		process.exit(2);
	}
mkdirSync(o.out, { recursive: true });
if (o.shots) mkdirSync(o.shots, { recursive: true });

let failed = false;
const pass = (s) => process.stdout.write(`PASS ${s}\n`);
const fail = (s, why) => {
	failed = true;
	process.stdout.write(`FAIL ${s}: ${why}\n`);
};

// axe's WCAG 2.1 A/AA rules and the page's width on the phone
async function check(page, step) {
	await page.evaluate(AXE_SOURCE);
	const res = await page.evaluate(async () =>
		// eslint-disable-next-line no-undef
		await axe.run(document, {
			runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
			resultTypes: ['violations'],
		}));
	if (res.violations.length)
		fail(`${step}: axe`, res.violations.map((v) =>
			`${v.id} (${v.impact}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('; '));
	else
		pass(`${step}: no WCAG 2.1 AA violation`);
	const wide = await page.evaluate(() => document.documentElement.scrollWidth);
	if (wide > WIDTH)
		fail(`${step}: width`, `the page is ${wide}px wide on a ${WIDTH}px screen`);
	const lang = await page.evaluate(() => document.documentElement.lang);
	if (lang !== 'vi')
		fail(`${step}: language`, `lang="${lang}"`);
}

async function shot(page, name) {
	if (o.shots)
		await page.screenshot({ path: `${o.shots}/${name}`, fullPage: true });
}

async function main() {
	let browser;
	try {
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic'],
		});
	} catch (e) {
		process.stderr.write(`console_producer.mjs: cannot start ${CHROMIUM}: ${e.message}\n`);
		process.exit(2);
	}
	try {
		const context = await browser.newContext({
			viewport: { width: WIDTH, height: HEIGHT },
			locale: 'vi-VN',
			acceptDownloads: true,
			hasTouch: true,
			isMobile: true,
		});
		const page = await context.newPage();

		// the setup link
		let resp = await page.goto(o.setup);
		if (resp.status() !== 200) fail('setup page', `status ${resp.status()}`);
		await check(page, 'setup page');
		await page.fill('#password', o.password);
		await page.fill('#password2', o.password);
		await Promise.all([page.waitForURL(/\/console\/login\?done=1$/), page.click('button[type=submit]')]);
		pass('setup: password chosen');

		// signing in
		await check(page, 'sign-in page');
		await page.fill('#login', o.login);
		await page.fill('#password', o.password);
		await Promise.all([page.waitForURL(/\/console\/$/), page.click('main button[type=submit]')]);
		pass('signed in');

		// the dashboard: its own products only
		await check(page, 'dashboard');
		await shot(page, 'console-dashboard-360.png');
		const text = await page.evaluate(() => document.body.innerText);
		if (!text.includes(o.own)) fail('dashboard', `'${o.own}' is not shown`);
		else pass('dashboard shows its product');
		if (text.includes(o.other)) fail('dashboard', `another producer's '${o.other}' is shown`);
		else pass('dashboard hides the others');

		// the product's page
		await Promise.all([page.waitForURL(/\/console\/products\/[^/]+$/),
			page.click(`h2 a:has-text("${o.own}")`)]);
		await check(page, 'product page');

		// the issue form
		await Promise.all([page.waitForURL(/\/issue$/), page.click('a.button:has-text("Phát hành tem")')]);
		await check(page, 'issue form');
		await page.fill('#count', '24');
		await page.fill('#lot', 'L2406A');
		await page.fill('#made', '2026-11-20');
		await page.fill('#best_before', '2027-11-20');
		await page.selectOption('#format', 'pdf');
		await shot(page, 'console-issue-360.png');
		await Promise.all([page.waitForURL(/\/console\/batches\/\d+\?/), page.click('main button[type=submit]')]);
		const batch = page.url().match(/batches\/(\d+)/)[1];
		process.stdout.write(`batch ${batch}\n`);
		pass('issued from the form');

		// the batch page and its downloads
		await check(page, 'batch page');
		await shot(page, 'console-batch-360.png');
		for (const [link, file] of [['a[href*="labels.pdf"][download]', 'labels.pdf'],
			['a[href$="labels.csv"]', 'labels.csv']]) {
			const [dl] = await Promise.all([page.waitForEvent('download'), page.click(link)]);
			await dl.saveAs(`${o.out}/${file}`);
			pass(`downloaded ${file} (${dl.suggestedFilename()})`);
		}

		// the confirmation before voiding (nothing is voided here)
		await Promise.all([page.waitForURL(/\/void$/), page.click('a:has-text("Hủy cả lô")')]);
		await check(page, 'void confirmation');
		await context.close();
	} catch (e) {
		fail('console in a browser', e.message);
	} finally {
		await browser.close();
	}
	process.exit(failed ? 1 : 0);
}

main();

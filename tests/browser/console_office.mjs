#!/usr/bin/env node
// The province office at work in the web console, in Debian's headless
// Chromium (playwright-core) at 1280x800: it signs in, uploads a registry
// file with bad rows (every bad row listed), then a good one, grants a
// recognition from the form, revokes an API token, and reads the audit
// log; an inspector opens a report but not the office's pages. axe-core
// checks every page for WCAG 2.1 A/AA. Prints "PASS name" / "FAIL name"
// lines (the e2e script checks the database's side with ocop).
//
//   node tests/browser/console_office.mjs --base URL --admin LOGIN
//        --inspector LOGIN --password PW --bad FILE --bad-rows N
//        --good FILE --code CODE --token-id ID --shots DIR
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = require('fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.OCOP_CHROMIUM || '/usr/bin/chromium';

const o = {};
for (let i = 2; i < process.argv.length; i += 2)
	o[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const k of ['base', 'admin', 'inspector', 'password', 'bad', 'bad-rows', 'good', 'code', 'token-id', 'shots'])
	if (!o[k]) {
		process.stderr.write(`console_office.mjs: --${k} is required\n`);
		process.exit(2);
	}

let failures = 0;
let current = null;
const problems = [];
function begin(name) {
	end();
	current = name;
	problems.length = 0;
}
function end() {
	if (!current) return;
	if (problems.length) {
		failures++;
		process.stdout.write(`FAIL ${current}\n`);
		for (const p of problems) process.stdout.write(`  ${p}\n`);
	} else {
		process.stdout.write(`PASS ${current}\n`);
	}
	current = null;
}
function check(ok, what) {
	if (!ok) problems.push(what);
}

async function axe(page, what) {
	await page.evaluate(AXE_SOURCE);
	const res = await page.evaluate(async () =>
		// eslint-disable-next-line no-undef
		await axe.run(document, {
			runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
			resultTypes: ['violations'],
		}));
	for (const v of res.violations)
		check(false, `axe on ${what}: ${v.id} (${v.impact}) ${v.help} at ` +
			v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(', '));
}

async function goto(page, path, status = 200) {
	const resp = await page.goto(o.base + path, { waitUntil: 'load' });
	check(resp && resp.status() === status,
		`GET ${path}: ${resp ? resp.status() : 'no answer'}, expected ${status}`);
	return resp;
}

async function signIn(context, login) {
	const page = await context.newPage();
	await goto(page, '/console/login');
	await page.fill('#login', login);
	await page.fill('#password', o.password);
	await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
	check(new URL(page.url()).pathname === '/console/',
		`${login} signed in lands on ${page.url()}`);
	return page;
}

// submit the form that holds selector, wait for the answer, its status
async function submit(page, selector) {
	const [resp] = await Promise.all([
		page.waitForNavigation({ timeout: 10000 }),
		page.locator(selector).locator('xpath=ancestor::form').locator('button[type=submit]').click(),
	]);
	return resp ? resp.status() : 0;
}

async function main() {
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic'],
	});
	try {
		const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });

		begin('office in a browser: the dashboard');
		const page = await signIn(office, o.admin);
		await page.screenshot({ path: `${o.shots}/office-dashboard.png` });
		await axe(page, 'the dashboard');

		begin('office in a browser: a registry file with bad rows, every row listed');
		await goto(page, '/console/registry');
		await axe(page, 'the registry page');
		await page.setInputFiles('#f-registry', o.bad);
		let status = await submit(page, '#f-registry');
		check(status === 422, `bad upload answered ${status}, expected 422`);
		const lines = await page.$$eval('#problems tbody tr td:nth-child(2)',
			tds => [...new Set(tds.map(td => td.textContent.trim()))]);
		check(lines.length === Number(o['bad-rows']),
			`bad rows listed: ${lines.join(',')}, expected ${o['bad-rows']}`);
		check(await page.isVisible('#import-error'), 'no summary of the problems');
		await page.screenshot({ path: `${o.shots}/office-registry-bad.png`, fullPage: true });
		await axe(page, 'the registry page with bad rows');

		begin('office in a browser: a good registry file');
		await page.setInputFiles('#f-registry', o.good);
		status = await submit(page, '#f-registry');
		check(status === 200, `good upload answered ${status}`);
		const notice = await page.textContent('#notice').catch(() => '');
		check(/dòng mới/.test(notice), `notice: '${notice}'`);

		begin('office in a browser: a recognition granted from the form');
		await page.fill('#g_code', o.code);
		await page.selectOption('#g_stars', '5');
		await page.fill('#g_decision', 'QĐ-77/2026');
		await page.fill('#g_date', '2026-02-20');
		status = await submit(page, '#g_code');
		check(status === 200, `grant answered ${status}`);
		const granted = await page.textContent('#notice').catch(() => '');
		check(granted.includes(o.code) && granted.includes('5★'), `notice: '${granted}'`);
		await axe(page, 'the registry page after a grant');

		begin('office in a browser: a token revoked');
		await goto(page, '/console/tokens');
		await axe(page, 'the tokens page');
		const ids = await page.$$eval('#tokens tbody tr', trs => trs.map(tr => tr.id));
		check(ids.includes(`token-${o['token-id']}`),
			`token ${o['token-id']} not listed: ${ids.join(',')}`);
		status = await submit(page, `#token-${o['token-id']} button`);
		check(status === 200, `revoke answered ${status}`);
		const revoked = await page.textContent(`#token-${o['token-id']} td:nth-child(7)`);
		check(/\d\d\/\d\d\/\d{4}/.test(revoked), `revoked at '${revoked}'`);

		begin('office in a browser: users and the audit log');
		await goto(page, '/console/users');
		await axe(page, 'the users page');
		await goto(page, '/console/audit');
		await axe(page, 'the audit page');
		const rows = await page.$$eval('#audit tbody tr', trs => trs.map(tr =>
			[...tr.querySelectorAll('td')].map(td => td.textContent.trim())));
		for (const action of ['registry.import', 'cert.grant', 'token.revoke']) {
			const r = rows.find(r => r[2] === action);
			check(r && r[1] === `user:${o.admin}`,
				`${action}: ${r ? r[1] : 'not in the log'}`);
		}
		check(rows.length && rows[0][2] === 'token.revoke', 'the newest is not first');

		begin('office in a browser: a report page');
		await goto(page, '/console/reports/circulation?as_of=2026-03-01');
		await page.screenshot({ path: `${o.shots}/office-report.png` });
		await page.screenshot({ path: `${o.shots}/office-report-full.png`, fullPage: true });
		await axe(page, 'the circulation report');
		for (const r of ['expiring', 'lapsed', 'clones', 'unknown']) {
			await goto(page, `/console/reports/${r}`);
			await axe(page, `the ${r} report`);
		}
		await goto(page, '/console/reports/expiring?within=abc', 400);
		await axe(page, 'a report with a bad parameter');
		await office.close();

		begin('office on a phone: the pages fit 360 px');
		const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
		const pp = await signIn(phone, o.admin);
		for (const path of ['/console/registry', '/console/users', '/console/tokens',
			'/console/audit', '/console/reports/circulation?as_of=2026-03-01']) {
			await goto(pp, path);
			const wide = await pp.evaluate(() => document.documentElement.scrollWidth);
			check(wide <= 360, `${path} is ${wide} px wide on a 360 px screen`);
			await axe(pp, `${path} on a phone`);
		}
		await pp.screenshot({ path: `${o.shots}/office-report-phone.png`, fullPage: true });
		await phone.close();

		begin('inspector in a browser: reports yes, office pages no');
		const insp = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
		const ip = await signIn(insp, o.inspector);
		await goto(ip, '/console/reports/expiring');
		await axe(ip, "the inspector's report");
		await goto(ip, '/console/registry', 404);
		await goto(ip, '/console/users', 404);
		await insp.close();
		end();
	} catch (e) {
		check(false, `${e.message}`);
		end();
	} finally {
		await browser.close();
	}
	process.exit(failures ? 1 : 0);
}

main();

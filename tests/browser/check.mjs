#!/usr/bin/env node
// A page in Debian's headless Chromium (driven by playwright-core): load it
// at a given viewport, optionally save a screenshot and the rendered DOM,
// and optionally run axe-core's WCAG 2.1 A/AA rules over it.
//
//   node tests/browser/check.mjs --url URL [--width 390] [--height 844]
//        [--screenshot FILE] [--full-page] [--dom FILE] [--axe]
//        [--header 'Name: value']... [--no-js] [--status N]
//
// --no-js loads the page with JavaScript off (forms must work without it);
// axe needs JavaScript, so --axe and --no-js go in separate runs.
//
// Exit 0 when the page loaded (with the expected HTTP status, 200 unless
// --status says otherwise) and, with --axe, has no violation; 1 otherwise,
// with every violation printed (rule, impact, the elements, the fix);
// 2 on usage errors or when the browser cannot start.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = require('fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.OCOP_CHROMIUM || '/usr/bin/chromium';

function usage(msg) {
	process.stderr.write(`check.mjs: ${msg}\n`);
	process.exit(2);
}

function parseArgs(argv) {
	const o = { width: 390, height: 844, headers: {}, status: 200 };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => {
			if (i + 1 >= argv.length) usage(`${a} needs a value`);
			return argv[++i];
		};
		switch (a) {
		case '--url': o.url = val(); break;
		case '--width': o.width = Number(val()); break;
		case '--height': o.height = Number(val()); break;
		case '--screenshot': o.screenshot = val(); break;
		case '--full-page': o.fullPage = true; break;
		case '--dom': o.dom = val(); break;
		case '--axe': o.axe = true; break;
		case '--no-js': o.noJs = true; break;
		case '--status': o.status = Number(val()); break;
		case '--header': {
			const h = val();
			const c = h.indexOf(':');
			if (c <= 0) usage(`bad header '${h}'`);
			o.headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
			break;
		}
		default: usage(`unknown option '${a}'`);
		}
	}
	if (!o.url) usage('--url is required');
	if (!(o.width > 0 && o.height > 0)) usage('bad --width/--height');
	// axe runs inside the page: check a page's accessibility with its
	// JavaScript on, and its working without JavaScript in another run
	if (o.axe && o.noJs) usage('--axe and --no-js go in separate runs');
	return o;
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	let browser;
	try {
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic'],
		});
	} catch (e) {
		process.stderr.write(`check.mjs: cannot start ${CHROMIUM}: ${e.message}\n`);
		process.exit(2);
	}
	let failed = false;
	try {
		const context = await browser.newContext({
			viewport: { width: o.width, height: o.height },
			javaScriptEnabled: !o.noJs,
			extraHTTPHeaders: o.headers,
		});
		const page = await context.newPage();
		const resp = await page.goto(o.url, { waitUntil: 'load' });
		const status = resp ? resp.status() : 0;
		if (status !== o.status) {
			process.stdout.write(`FAIL status ${status}, expected ${o.status}: ${o.url}\n`);
			failed = true;
		}
		if (o.dom)
			writeFileSync(o.dom, await page.content());
		if (o.screenshot)
			await page.screenshot({ path: o.screenshot, fullPage: !!o.fullPage });
		if (o.axe) {
			await page.evaluate(AXE_SOURCE);
			const res = await page.evaluate(async () => {
				// eslint-disable-next-line no-undef
				return await axe.run(document, {
					runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
					resultTypes: ['violations'],
				});
			});
			for (const v of res.violations) {
				failed = true;
				process.stdout.write(`FAIL axe ${v.id} (${v.impact}): ${v.help} <${v.helpUrl}>\n`);
				for (const n of v.nodes.slice(0, 10))
					process.stdout.write(`  at ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}\n`);
			}
			if (!res.violations.length)
				process.stdout.write(`axe: no WCAG 2.1 AA violation on ${o.url}\n`);
		}
		await context.close();
	} catch (e) {
		process.stdout.write(`FAIL ${o.url}: ${e.message}\n`);
		failed = true;
	} finally {
		await browser.close();
	}
	process.exit(failed ? 1 : 0);
}

main();

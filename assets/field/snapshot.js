// snapshot.js - the reader of the OCOP field snapshot (the format is
// described in src/snapshot.h), for the inspectors' offline mode: a plain
// ES module, no dependency, usable from a page, a service worker and node
// (20 or later): WebCrypto's SHA-256 and Ed25519 do the cryptography.
//
//   import { openSnapshot } from './snapshot.js';
//   const keys = await (await fetch('/.well-known/ocop-keys.json')).json();
//   const snap = await openSnapshot(bytes, keys, { minSeq: lastSeq });
//   const record = await snap.judge('7KQ3-M9XH-2PAB-4C5D');
//   // record.verdict, record.reason: what the server would answer
//
// openSnapshot refuses (throws a SnapshotError) a snapshot whose signature
// does not verify with a trusted key, that has expired, or whose seq is
// lower than minSeq: then no verdict may be given offline, never "valid".

const MAGIC = 'OCOPSNAP';
const SIG_LEN = 64;
const TZ = 7 * 3600; // Vietnam, UTC+7, no daylight saving
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export class SnapshotError extends Error {
	// code: 'format', 'untrusted_key', 'signature', 'key_window',
	// 'expired', 'old_seq', 'bad_input'
	constructor(code, message) {
		super(message);
		this.name = 'SnapshotError';
		this.code = code;
	}
}

// ---- times and days -------------------------------------------------

function toSeconds(t) {
	if (t === undefined || t === null) return Math.floor(Date.now() / 1000);
	if (t instanceof Date) return Math.floor(t.getTime() / 1000);
	if (typeof t === 'string') {
		if (!/(Z|[+-]\d\d:\d\d)$/i.test(t))
			throw new SnapshotError('bad_input', `time '${t}' has no offset`);
		const ms = Date.parse(t);
		if (Number.isNaN(ms))
			throw new SnapshotError('bad_input', `time '${t}' is not RFC 3339`);
		return Math.floor(ms / 1000);
	}
	throw new SnapshotError('bad_input', 'a time is a Date or an RFC 3339 string');
}

// The day in Vietnam of an instant (Unix seconds): "YYYY-MM-DD".
export function dayOf(t) {
	return new Date((t + TZ) * 1000).toISOString().slice(0, 10);
}

// An instant as the service writes it: "2026-11-28T18:30:00+07:00".
export function timeFormat(t) {
	return new Date((t + TZ) * 1000).toISOString().slice(0, 19) + '+07:00';
}

// ---- codes, as ocop_code_parse reads them -----------------------------

function symbolValue(ch) {
	const c = ch.toUpperCase();
	if (c === 'I' || c === 'L') return 1;
	if (c === 'O') return 0;
	if (c === 'U') return -1;
	return ALPHABET.indexOf(c);
}

// { serial, mistyped } or null when the shape is wrong.
function normalizeSerial(s) {
	let out = '';
	for (const ch of s) {
		if (ch === '-' || ch === ' ') continue;
		const v = symbolValue(ch);
		if (v < 0 || out.length >= 16) return null;
		out += ALPHABET[v];
	}
	if (out.length !== 16) return null;
	let sum = 0;
	for (let i = 0; i < 15; i++) sum += (2 * i + 1) * ALPHABET.indexOf(out[i]);
	return { serial: out, mistyped: ALPHABET[sum % 32] !== out[15] };
}

function gtinNormalize(g) {
	if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(g)) return null;
	const d = g.padStart(14, '0');
	let sum = 0;
	for (let i = 0; i < 13; i++) sum += Number(d[i]) * (i % 2 === 0 ? 3 : 1);
	return (10 - (sum % 10)) % 10 === Number(d[13]) ? d : null;
}

const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;

function bad(msg) {
	return new SnapshotError('bad_input', msg);
}

function parseDlPath(path) {
	let p = path;
	if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
	const seg = p.slice(1).split('/');
	if (seg.length > 8) throw bad('invalid Digital Link path: too many segments');
	seg.forEach((v, i) => {
		if (v === '') throw bad('invalid Digital Link path: empty segment');
		if (i % 2 === 1 && (v.length > 20 || !CSET82.test(v)))
			throw bad(`invalid Digital Link path: bad value of AI ${seg[i - 1]}`);
	});
	if (seg.length % 2) throw bad('invalid Digital Link path: an AI has no value');
	const gtin = gtinNormalize(seg[1]);
	if (!gtin) throw bad('invalid Digital Link path: bad GTIN');
	const code = { kind: 'dl_product', serial: '', mistyped: false, gtin, lot: '', foreign: '' };
	let next = 10;
	for (let i = 2; i < seg.length; i += 2) {
		const ai = seg[i], v = seg[i + 1];
		const n = ai === '10' ? 10 : ai === '21' ? 21 : 0;
		if (!n) throw bad(`invalid Digital Link path: AI '${ai}' is not supported`);
		if (n < next) throw bad(`invalid Digital Link path: AI ${ai} out of order`);
		next = n + 1;
		if (n === 10) {
			code.lot = v.toUpperCase();
			continue;
		}
		code.kind = 'dl_label';
		const s = normalizeSerial(v);
		if (s) {
			code.serial = s.serial;
			code.mistyped = s.mistyped;
		} else {
			code.foreign = v.toUpperCase();
		}
	}
	return code;
}

// What a person or a scanner gives: a serial as typed, or a label's URL
// (/L/{serial} or a GS1 Digital Link /01/{gtin}[/10/{lot}]/21/{serial}).
// Returns { kind: 'serial'|'dl_label'|'dl_product', serial, mistyped, gtin,
// lot, foreign }; throws SnapshotError('bad_input') for a wrong shape.
export function parseCode(input) {
	const s = String(input).trim();
	if (!s) throw bad('invalid label code: empty');
	let path;
	const url = /^https?:\/\/[^/]*(\/.*)?$/i.exec(s);
	if (url) {
		if (!url[1]) throw bad(`invalid label URL '${s}': it has no path`);
		path = url[1];
	} else if (s[0] === '/') {
		path = s;
	} else {
		const n = normalizeSerial(s);
		if (!n) throw bad(`invalid label code '${s}': expected 16 letters and digits`);
		return { kind: 'serial', serial: n.serial, mistyped: n.mistyped, gtin: '', lot: '', foreign: '' };
	}
	path = path.replace(/[?#].*$/, '');
	try {
		if (/%00/.test(path)) throw new Error();
		path = decodeURIComponent(path);
	} catch {
		throw bad(`invalid label URL '${s}': bad percent-encoding`);
	}
	if (/^\/l\//i.test(path)) {
		let v = path.slice(3);
		if (v.endsWith('/')) v = v.slice(0, -1);
		const n = normalizeSerial(v);
		if (!n) throw bad(`invalid label code '${v}': expected 16 letters and digits`);
		return { kind: 'serial', serial: n.serial, mistyped: n.mistyped, gtin: '', lot: '', foreign: '' };
	}
	if (path.startsWith('/01/')) return parseDlPath(path);
	throw bad(`invalid label URL '${s}': expected a path /L/{serial} or /01/{gtin}/.../21/{serial}`);
}

// ---- the file -------------------------------------------------------

function b64url(s) {
	const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
	return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

// Split the bytes: { header (parsed JSON), body, signed, signature }.
// Nothing is verified here.
export function decodeSnapshot(bytes) {
	const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	if (u8.length < 12 + SIG_LEN || new TextDecoder().decode(u8.subarray(0, 8)) !== MAGIC)
		throw new SnapshotError('format', 'not a snapshot file (no OCOPSNAP header)');
	const hl = new DataView(u8.buffer, u8.byteOffset, u8.length).getUint32(8);
	if (hl > u8.length - 12 - SIG_LEN) throw new SnapshotError('format', 'snapshot is damaged: header length');
	let header;
	try {
		header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(u8.subarray(12, 12 + hl)));
	} catch {
		throw new SnapshotError('format', 'snapshot is damaged: header is not JSON');
	}
	return {
		header,
		body: u8.subarray(12 + hl, u8.length - SIG_LEN),
		signed: u8.subarray(0, u8.length - SIG_LEN),
		signature: u8.subarray(u8.length - SIG_LEN),
	};
}

// Read one batch's Golomb-Rice stream (src/rice.h) until a value >= v;
// true when v is in it.
function riceHas(body, off, len, k, n, v) {
	const end = (off + len) * 8;
	let bit = off * 8, prev = 0;
	const pow = 2 ** k;
	for (let i = 0; i < n; i++) {
		let q = 0;
		for (;;) {
			if (bit >= end) return false;
			if (!((body[bit >> 3] >> (7 - (bit & 7))) & 1)) break;
			q++;
			bit++;
		}
		bit++;
		if (bit + k > end) return false;
		let low = 0;
		for (let b = 0; b < k; b++, bit++) low = low * 2 + ((body[bit >> 3] >> (7 - (bit & 7))) & 1);
		prev += q * pow + low;
		if (prev >= v) return prev === v;
	}
	return false;
}

function periodVerdict(p, printed) {
	switch (p.state) {
		case 'in_force':
			return p.stars < printed ? ['star_mismatch', 'fewer_stars'] : ['valid', 'in_force'];
		case 'revoked':
			return ['revoked', 'revoked'];
		case 'expired':
			return ['expired', 'expired'];
		default:
			return ['expired', 'not_yet_recognised'];
	}
}

class Snapshot {
	constructor(header, body) {
		this.header = header;
		this.body = body;
		this.issuedAt = toSeconds(header.issued_at);
		this.expiresAt = toSeconds(header.expires_at);
		this.salt = b64url(header.hash.salt);
		this.bits = header.hash.bits;
		const F = header.batch_fields;
		const col = (name) => F.indexOf(name);
		let off = 0;
		this.batches = header.batches.map((a) => {
			const b = {
				id: a[col('id')], product: a[col('product')], stars: a[col('stars')],
				lot: a[col('lot')], issued_at: a[col('issued_at')], made_on: a[col('made_on')],
				best_before: a[col('best_before')], voided_at: a[col('voided_at')],
				n: a[col('labels')], k: a[col('rice_k')], bytes: a[col('bytes')], off,
			};
			off += b.bytes;
			return b;
		});
		if (off !== body.length) throw new SnapshotError('format', "snapshot is damaged: the sets' length");
		this.listed = new Map(header.listed.map((x) => [x[0], { batch: x[1], voided_at: x[2] }]));
	}

	// { seq, province, issued_at, expires_at, key_id, labels, products,
	//   batches }
	get info() {
		const h = this.header;
		return {
			seq: h.seq, province: h.province, issued_at: h.issued_at, expires_at: h.expires_at,
			key_id: h.key_id, labels: h.labels, products: h.products.length, batches: h.batches.length,
		};
	}

	async findBatch(serial) {
		const x = this.listed.get(serial);
		if (x) return { batch: x.batch, voided_at: x.voided_at };
		const data = new Uint8Array(this.salt.length + 16);
		data.set(this.salt);
		data.set(new TextEncoder().encode(serial), this.salt.length);
		const h = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
		let top48 = 0;
		for (let i = 0; i < 6; i++) top48 = top48 * 256 + h[i];
		const v = Math.floor(top48 / 2 ** (48 - this.bits));
		for (let i = 0; i < this.batches.length; i++) {
			const b = this.batches[i];
			if (riceHas(this.body, b.off, b.bytes, b.k, b.n, v)) return { batch: i, voided_at: null };
		}
		return null;
	}

	// The verification record of input (a code or URL, see parseCode) at
	// instant at (a Date or RFC 3339; default now), as `ocop verify
	// --offline --json` prints it: the server's record with "scans" and
	// "suspect_copy" null (unknown offline) and "offline" telling which
	// data judged and the first day of the verdict's period ("since").
	// Throws SnapshotError('bad_input') for a code of the wrong shape, a
	// product code, a time before the label's issue or after the expiry.
	async judge(input, at) {
		const t = toSeconds(at);
		const code = typeof input === 'string' ? parseCode(input) : input;
		if (code.kind === 'dl_product') throw bad(`a product code (GTIN ${code.gtin}) names no label`);
		if (t >= this.expiresAt)
			throw bad(`time ${timeFormat(t)} is after the snapshot expires (${timeFormat(this.expiresAt)})`);
		const h = this.header;
		const offline = {
			seq: h.seq, province: h.province, issued_at: timeFormat(this.issuedAt),
			expires_at: timeFormat(this.expiresAt), key_id: h.key_id, since: null,
		};
		const unknown = (serial, reason) => ({
			serial, verdict: 'unknown', checked_at: timeFormat(t), reason, offline,
		});
		if (code.foreign) return unknown(code.foreign, 'not_found');
		if (code.mistyped) return unknown(code.serial, 'mistyped');
		const found = await this.findBatch(code.serial);
		if (!found) return unknown(code.serial, 'not_found');
		const b = this.batches[found.batch];
		const p = h.products[b.product];
		if (code.kind === 'dl_label' && (code.gtin !== (p.gtin || '') || (code.lot && code.lot !== (b.lot || ''))))
			return unknown(code.serial, 'wrong_product');
		if (t < b.issued_at)
			throw bad(`time ${timeFormat(t)} is before label ${code.serial} was issued (${timeFormat(b.issued_at)})`);

		const lv = found.voided_at, bv = b.voided_at;
		let voided = lv;
		if (bv !== null && (lv === null || bv < lv)) voided = bv;
		const day = dayOf(t);
		let i = 0;
		while (i + 1 < p.periods.length && p.periods[i + 1].from <= day) i++;
		const period = p.periods[i];
		let [verdict, reason] = periodVerdict(period, b.stars);
		if (voided !== null && voided <= t) {
			verdict = 'voided';
			reason = voided === bv && voided !== lv ? 'batch_voided' : 'label_voided';
			offline.since = dayOf(voided);
		} else if (i > 0) {
			// the run of days with this verdict, as the engine finds it
			while (i > 1 && periodVerdict(p.periods[i - 1], b.stars)[0] === verdict) i--;
			offline.since = p.periods[i].from;
		}
		const r = period.rec === null ? null : p.recognitions[period.rec];
		return {
			serial: code.serial, verdict, checked_at: timeFormat(t), reason,
			label: {
				printed_stars: b.stars, lot: b.lot, batch: b.id, issued_at: timeFormat(b.issued_at),
				made_on: b.made_on, best_before: b.best_before,
				voided_at: voided === null ? null : timeFormat(voided),
			},
			product: {
				code: p.code, name: p.name, group: p.group, gtin: p.gtin,
				producer: { name: p.producer.name, kind: p.producer.kind, province: p.producer.province },
			},
			recognition: r && {
				stars: r.stars, decision_no: r.decision_no, decided_on: r.decided_on, issuer: r.issuer,
				valid_from: r.valid_from, valid_until: r.valid_until, extended_until: r.extended_until,
				revoked_on: r.revoked_on, ground: r.ground,
			},
			scans: null,
			suspect_copy: null,
			offline,
		};
	}
}

// Verify and open a snapshot. keys: the document of
// /.well-known/ocop-keys.json ({"keys":[{id, public_key, valid_from,
// retired_at, ...}]}), the trusted keys. options.now (Date or RFC 3339;
// default now) for the expiry; options.minSeq: refuse a lower seq (the
// highest one already seen). Throws SnapshotError, never returns an
// unverified snapshot.
export async function openSnapshot(bytes, keys, options = {}) {
	const now = toSeconds(options.now);
	const { header, body, signed, signature } = decodeSnapshot(bytes);
	if (header.v !== 1) throw new SnapshotError('format', 'snapshot of an unknown version');
	const key = ((keys && keys.keys) || []).find((k) => k.id === header.key_id);
	if (!key)
		throw new SnapshotError('untrusted_key', `snapshot signed by key '${header.key_id}', which is not a trusted key`);
	const pub = await crypto.subtle.importKey('raw', b64url(key.public_key), { name: 'Ed25519' }, false, ['verify']);
	if (!(await crypto.subtle.verify({ name: 'Ed25519' }, pub, signature, signed)))
		throw new SnapshotError('signature', 'snapshot signature does not verify (altered or damaged file)');
	const snap = new Snapshot(header, body);
	if ((key.valid_from && snap.issuedAt < toSeconds(key.valid_from)) ||
	    (key.retired_at && snap.issuedAt >= toSeconds(key.retired_at)))
		throw new SnapshotError('key_window', `snapshot issued when key '${key.id}' was not the signing key`);
	if (now >= snap.expiresAt)
		throw new SnapshotError('expired', `snapshot expired at ${header.expires_at}`);
	if (options.minSeq !== undefined && header.seq < options.minSeq)
		throw new SnapshotError('old_seq', `snapshot ${header.seq} is older than ${options.minSeq} already seen`);
	return snap;
}

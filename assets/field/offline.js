// offline.js - the pages the service worker writes when the phone has no
// signal: a label's verdict from the snapshot, as the server's label page
// says it (same verdict, reason and words, Vietnamese first), marked as an
// offline check with the data's time; and the page that says a label
// cannot be checked offline.

const TZ = 7 * 3600;
export const STALE_AFTER = 48 * 3600; // seconds: the data is old

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) =>
	({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const en = (lang) => lang === 'en';
const pick = (lang, vi, e) => (en(lang) ? e : vi);

// "2026-03-05" as the pages write a day.
function day(d, lang) {
	if (!d) return '';
	const [y, m, dd] = d.split('-');
	if (!en(lang)) return `${dd}/${m}/${y}`;
	const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
	return `${Number(dd)} ${months[Number(m) - 1]} ${y}`;
}

// An instant (RFC 3339 or Unix seconds) in Vietnam time: "14:05 ngày 05/03/2026".
export function when(t, lang) {
	const s = typeof t === 'number' ? t : Math.floor(Date.parse(t) / 1000);
	const iso = new Date((s + TZ) * 1000).toISOString();
	return `${iso.slice(11, 16)} ${pick(lang, 'ngày', 'on')} ${day(iso.slice(0, 10), lang)}`;
}

// record_reason_text's day: dd/mm/yyyy in Vietnamese, ISO in English
const rday = (d, lang) => (en(lang) ? d : day(d, 'vi'));

const TITLES = {
	unknown: ['Không tìm thấy tem', 'Label not found'],
	voided: ['Tem đã bị hủy', 'Label voided'],
	revoked: ['Đã bị thu hồi công nhận OCOP', 'OCOP recognition revoked'],
	expired: ['Hết hạn công nhận OCOP', 'OCOP recognition expired'],
	star_mismatch: ['Sai hạng sao OCOP', 'OCOP star rating mismatch'],
	valid: ['Sản phẩm OCOP hợp lệ', 'Genuine OCOP product'],
};

const GROUNDS = {
	a: ['hồ sơ đánh giá không trung thực', 'a false or dishonest dossier'],
	b: ['sản phẩm không còn đáp ứng tiêu chí OCOP', 'the product no longer meets the OCOP criteria'],
	c: ['vi phạm về chất lượng, an toàn thực phẩm, môi trường, sở hữu trí tuệ hoặc nhãn hàng hóa',
		'a violation of quality, food safety, environmental, intellectual property or labelling rules'],
	d: ['sử dụng sai biểu trưng OCOP', 'misuse of the OCOP mark'],
	dd: ['chủ thể ngừng sản xuất', 'production has stopped'],
	e: ['theo kết luận của cơ quan có thẩm quyền', 'an official conclusion of the authorities'],
	lapsed: ['hết hạn mà không được đánh giá lại', 'lapsed without re-evaluation'],
};

function addDays(d, n) {
	return new Date(Date.parse(d + 'T00:00:00Z') + n * 86400000).toISOString().slice(0, 10);
}

// The reason in words, as record_reason_text writes it. full: the
// recognition as the snapshot has it (end, revocation decision).
export function reasonText(rec, full, lang) {
	const r = rec.recognition;
	const L = (vi, e) => pick(lang, vi, e);
	switch (rec.reason) {
	case 'in_force':
		if (!r) break;
		return L(`Sản phẩm đạt OCOP ${r.stars} sao, công nhận còn hiệu lực đến hết ngày ${rday(full?.end ?? r.valid_until, lang)}.`,
			`The product holds a ${r.stars}-star OCOP recognition, in force until ${rday(full?.end ?? r.valid_until, lang)}.`);
	case 'not_found':
		return L('Không có tem nào mang mã này: tem có thể là hàng giả.',
			'No label has this code: the label may be counterfeit.');
	case 'mistyped':
		return L('Mã tem không hợp lệ (ký tự kiểm tra không khớp): mã bị nhập sai hoặc bị làm giả.',
			'The label code is not valid (its check symbol does not match): it was mistyped or made up.');
	case 'wrong_product':
		return L('Mã tem không thuộc sản phẩm này: tem có thể đã bị sao chép sang sản phẩm khác.',
			'This label code does not belong to this product: the label may have been copied onto another product.');
	case 'label_voided':
	case 'batch_voided': {
		const d = rec.offline?.since ?? rec.checked_at.slice(0, 10);
		return rec.reason === 'batch_voided'
			? L(`Lô tem này đã bị nhà sản xuất hủy từ ngày ${rday(d, lang)}: tem không còn giá trị.`,
				`The producer voided this label's batch on ${rday(d, lang)}: the label is no longer valid.`)
			: L(`Tem này đã bị nhà sản xuất hủy từ ngày ${rday(d, lang)}: tem không còn giá trị.`,
				`The producer voided this label on ${rday(d, lang)}: it is no longer valid.`);
	}
	case 'revoked': {
		if (!r || !r.revoked_on) break;
		const g = GROUNDS[r.ground];
		const dec = full?.revocation_decision_no || '-';
		return L(`Công nhận OCOP của sản phẩm đã bị thu hồi từ ngày ${rday(r.revoked_on, lang)} (quyết định ${dec}). Lý do: ${g ? g[0] : 'không rõ lý do'}.`,
			`The product's OCOP recognition was revoked on ${rday(r.revoked_on, lang)} (decision ${dec}). Ground: ${g ? g[1] : 'no ground recorded'}.`);
	}
	case 'expired': {
		let d = rec.offline?.since;
		if (!d && full?.end) d = addDays(full.end, 1);
		if (!d) break;
		return L(`Sản phẩm đã hết hạn công nhận OCOP từ ngày ${rday(d, lang)}.`,
			`The product's OCOP recognition expired on ${rday(d, lang)}.`);
	}
	case 'not_yet':
		return L(`Sản phẩm chưa được công nhận OCOP vào ngày ${rday(rec.checked_at.slice(0, 10), lang)}.`,
			`The product had no OCOP recognition yet on ${rday(rec.checked_at.slice(0, 10), lang)}.`);
	case 'fewer_stars':
		if (!r) break;
		return L(`Tem in ${rec.label.printed_stars} sao nhưng sản phẩm hiện chỉ được công nhận OCOP ${r.stars} sao.`,
			`The label shows ${rec.label.printed_stars} stars but the product's OCOP recognition is ${r.stars} stars.`);
	}
	return L('Không xác định được tình trạng công nhận OCOP.',
		'The OCOP recognition status could not be determined.');
}

const ADVICE = {
	expired: ['Công nhận OCOP của sản phẩm không còn hiệu lực, nên sản phẩm không được mang dấu OCOP trên bao bì. Nếu sản phẩm vẫn được bày bán với dấu OCOP, hãy lập biên bản.',
		'The recognition is no longer in force, so the product may not carry the OCOP mark. If it is still sold with the mark, record it.'],
	revoked: ['Công nhận OCOP của sản phẩm đã bị thu hồi, nên sản phẩm không được mang dấu OCOP trên bao bì. Nếu sản phẩm vẫn được bày bán với dấu OCOP, hãy lập biên bản.',
		'The recognition was revoked, so the product may not carry the OCOP mark. If it is still sold with the mark, record it.'],
	voided: ['Nhà sản xuất đã hủy tem này, nên tem không còn chứng nhận sản phẩm.',
		'The producer withdrew this label: it no longer certifies the product.'],
	star_mismatch: ['Tem in nhiều sao hơn số sao sản phẩm đang được công nhận.',
		'The label shows more stars than the product is recognised with.'],
	unknown: ['Không có tem nào mang mã này trong dữ liệu: tem có thể là giả.',
		'No label has this code in the data: the label may be fake.'],
};

const STYLE = '<link rel="stylesheet" href="/assets/field/style.css">' +
	'<style>.offline{margin:0;background:#1c1c1a;color:#fff;padding:8px 16px;font-weight:700}' +
	'.stale{margin:8px 12px;background:#fff8e6;border:2px solid #8a5100;padding:4px 14px}</style>';

function head(title, lang) {
	return `<!DOCTYPE html><html lang="${lang}"><head><meta charset="utf-8">` +
		'<meta name="viewport" content="width=device-width, initial-scale=1">' +
		`<meta name="robots" content="noindex"><title>${esc(title)} · OCOP</title>${STYLE}</head>`;
}

// The mark on every page written offline.
function banner(info, lang, now) {
	const stale = info && now - Math.floor(Date.parse(info.issued_at) / 1000) > STALE_AFTER;
	let h = '<p class="offline" role="note">' +
		(info ? esc(`${pick(lang, 'Kiểm tra ngoại tuyến — dữ liệu lúc', 'Offline check — data as of')} ${when(info.issued_at, lang)}`)
			: esc(pick(lang, 'Kiểm tra ngoại tuyến', 'Offline check'))) + '</p>';
	if (stale)
		h += `<section class="stale" role="alert"><p>${esc(pick(lang,
			'Dữ liệu đã cũ hơn 48 giờ: các thay đổi gần đây (thu hồi, hủy tem) có thể chưa có. Hãy mở trang Kiểm tra ngoại tuyến khi có mạng để tải lại.',
			'The data is more than 48 hours old: recent changes (revocations, voided labels) may be missing. Open the offline checks page while online to download it again.'))}</p></section>`;
	return h;
}

// The inspection form, as the online panel has it; sent when online.
function form(f, lang) {
	if (!f) return '';
	const L = (vi, e) => esc(pick(lang, vi, e));
	return '<section class="inspect" aria-labelledby="inspect-title">' +
		`<h2 id="inspect-title">${L('Ghi kết quả kiểm tra', 'Record this inspection')}</h2>` +
		(f.notice ? `<p class="done" role="status">✓ ${esc(f.notice)}</p>` : '') +
		'<form method="post" action="/console/field/inspect" id="inspect-form">' +
		`<input type="hidden" name="csrf" value="${esc(f.csrf)}">` +
		`<input type="hidden" name="id" value="${esc(f.id)}">` +
		`<input type="hidden" name="code" value="${esc(f.code)}">` +
		`<input type="hidden" name="lang" value="${esc(lang)}">` +
		'<input type="hidden" name="lat" value=""><input type="hidden" name="lon" value="">' +
		`<label for="place">${L('Địa điểm (chợ, cửa hàng…)', 'Place (market, shop…)')}</label>` +
		`<input type="text" class="plain" id="place" name="place" value="${esc(f.place)}" maxlength="255" autocomplete="off">` +
		`<label for="province">${L('Tỉnh', 'Province')}</label>` +
		`<input type="text" class="plain" id="province" name="province" value="${esc(f.province)}" readonly>` +
		`<label for="note">${L('Ghi chú', 'Note')}</label>` +
		'<textarea id="note" name="note" rows="2" maxlength="1000" aria-describedby="note-help"></textarea>' +
		`<p class="help" id="note-help">${L('Ghi chú chưa được lưu cùng lượt kiểm tra.', 'The note is not stored with the inspection yet.')}</p>` +
		`<p class="help" id="geo" data-none="${L('Vị trí: không có (chưa được cho phép)', 'Position: none (not allowed)')}" hidden></p>` +
		`<p class="help">${L('Không có mạng: lượt kiểm tra được lưu trên máy và tự gửi khi có mạng.', 'No signal: the inspection is kept on this phone and sent when online.')}</p>` +
		`<button type="submit">${L('Ghi lại', 'Record')}</button></form>` +
		'<script src="/assets/field/inspect.js" defer></script></section>';
}

function stars(n, lang) {
	return `<span class="stars" aria-hidden="true">${'★'.repeat(Math.min(n || 0, 5))}</span> ${n} ${pick(lang, 'sao', 'stars')}`;
}

// The verdict page of record rec (snapshot.js's judge) with the data's
// info; full: the recognition's snapshot entry; f: the form's values.
export function verdictPage(rec, full, info, lang, f, now) {
	const v = rec.verdict;
	const title = pick(lang, ...TITLES[v]);
	const tone = v === 'valid' ? 'ok' : v === 'star_mismatch' ? 'warn' : 'bad';
	const mark = v === 'valid' ? '✓' : v === 'star_mismatch' ? '!' : '✗';
	const L = (vi, e) => esc(pick(lang, vi, e));
	let h = head(title, lang) + `<body data-offline-verdict="${esc(v)}" data-reason="${esc(rec.reason)}"><header>` +
		banner(info, lang, now) +
		`<div class="banner ${tone}" role="status"><h1><span class="mark" aria-hidden="true">${mark}</span>${esc(title)}</h1>` +
		`<p>${esc(reasonText(rec, full, lang))}</p></div></header><main>` + form(f, lang);
	if (ADVICE[v])
		h += `<section class="advice"><h2>${L('Cần làm gì', 'What to do')}</h2><p>${esc(pick(lang, ...ADVICE[v]))}</p></section>`;
	if (rec.product) {
		const p = rec.product, r = rec.recognition;
		h += `<section><h2>${esc(p.name)}</h2><dl>` +
			`<dt>${L('Chủ thể sản xuất', 'Producer')}</dt><dd>${esc(p.producer.name)}${p.producer.province ? ', ' + esc(p.producer.province) : ''}</dd>` +
			`<dt>${L('Hạng sao in trên tem', 'Stars printed on the label')}</dt><dd>${stars(rec.label.printed_stars, lang)}</dd>`;
		if (r)
			h += `<dt>${L('Hạng sao được công nhận', 'Stars recognised')}</dt><dd>${stars(r.stars, lang)}</dd>` +
				`<dt>${L('Quyết định công nhận', 'Recognition decision')}</dt><dd>${esc(r.decision_no)}, ${L('ngày', 'dated')} ${esc(day(r.decided_on, lang))}</dd>` +
				`<dt>${L('Thời hạn công nhận', 'Recognition valid')}</dt><dd${v === 'valid' || v === 'star_mismatch' ? '' : ' class="ended"'}>${esc(day(r.valid_from, lang))} – ${esc(day(r.valid_until, lang))}</dd>`;
		h += '</dl></section><section><dl>' +
			`<dt>${L('Mã tem', 'Label code')}</dt><dd class="code">${esc(rec.serial.replace(/(.{4})(?=.)/g, '$1-'))}</dd>` +
			(rec.label.lot ? `<dt>${L('Lô sản xuất', 'Lot')}</dt><dd>${esc(rec.label.lot)}</dd>` : '') +
			`<dt>${L('Ngày phát hành tem', 'Label issued')}</dt><dd>${esc(day(rec.label.issued_at.slice(0, 10), lang))}</dd>` +
			'</dl></section>';
	} else {
		h += `<section><dl><dt>${L('Mã đã quét', 'Code scanned')}</dt><dd class="code">${esc(rec.serial)}</dd></dl></section>`;
	}
	return h + `</main><footer><p>${L('Kiểm tra lúc', 'Checked at')} ${esc(when(rec.checked_at, lang))}</p>` +
		`<p><a href="/console/field">${L('Kiểm tra ngoại tuyến', 'Offline checks')}</a></p></footer></body></html>`;
}

// The page for a label that cannot be checked offline: no data, or data
// that may not be used (why: a SnapshotError's code). Never a verdict.
export function refusalPage(why, info, lang, f, now) {
	const L = (vi, e) => esc(pick(lang, vi, e));
	const reasons = {
		none: ['Điện thoại chưa có dữ liệu ngoại tuyến.', 'This phone has no offline data.'],
		signature: ['Dữ liệu trên máy không đúng chữ ký số (đã bị sửa hoặc hỏng).', 'The data on this phone does not match its signature (altered or damaged).'],
		untrusted_key: ['Dữ liệu được ký bằng khóa không tin cậy.', 'The data is signed by a key that is not trusted.'],
		key_window: ['Dữ liệu được ký bằng khóa không tin cậy.', 'The data is signed by a key that is not trusted.'],
		expired: ['Dữ liệu trên máy đã hết hạn sử dụng.', 'The data on this phone has expired.'],
		old_seq: ['Dữ liệu trên máy cũ hơn dữ liệu đã tải trước đó.', 'The data on this phone is older than data already downloaded.'],
		format: ['Dữ liệu trên máy bị hỏng.', 'The data on this phone is damaged.'],
		product: ['Đây là mã sản phẩm, không phải mã tem.', 'This is a product code, not a label code.'],
		bad_input: ['Không kiểm tra được mã này với dữ liệu trên máy.', 'This code cannot be checked with the data on this phone.'],
	};
	const r = reasons[why] || reasons.format;
	return head(pick(lang, 'Không kiểm tra được khi không có mạng', 'Cannot check offline'), lang) +
		`<body data-offline-verdict="none" data-why="${esc(why)}"><header>${banner(info, lang, now)}` +
		`<div class="banner warn" role="status"><h1><span class="mark" aria-hidden="true">?</span>${L('Không kiểm tra được khi không có mạng', 'Cannot check this label offline')}</h1>` +
		`<p>${esc(pick(lang, ...r))} ${L('Hãy kiểm tra lại khi có mạng.', 'Check again when online.')}</p></div></header><main>` +
		form(f, lang) + `</main><footer><p><a href="/console/field">${L('Kiểm tra ngoại tuyến', 'Offline checks')}</a></p></footer></body></html>`;
}

// inspect.js - the inspection panel's help (SPEC 9), a file so that the
// console's CSP allows it: a client id made in the page (a double tap
// sends the same one, stored once), the place remembered from the last
// inspection, and the phone's position when the browser grants it. The
// form works without it, minus the position.
(function () {
	const form = document.getElementById('inspect-form');
	if (!form) return;
	const place = form.elements.place;
	const geo = document.getElementById('geo');
	if (window.crypto && crypto.randomUUID) form.elements.id.value = 'web-' + crypto.randomUUID();
	try {
		if (!place.value) place.value = localStorage.getItem('ocop.place') || '';
	} catch (e) { /* no storage: the cookie remembers it */ }
	form.addEventListener('submit', function () {
		try {
			localStorage.setItem('ocop.place', place.value.trim());
		} catch (e) { /* nothing to remember it in */ }
	});
	if (!navigator.geolocation) return;
	navigator.geolocation.getCurrentPosition(function (p) {
		form.elements.lat.value = p.coords.latitude.toFixed(6);
		form.elements.lon.value = p.coords.longitude.toFixed(6);
		geo.textContent = (document.documentElement.lang === 'en' ? 'Position: ' : 'Vị trí: ') +
			p.coords.latitude.toFixed(5) + ', ' + p.coords.longitude.toFixed(5) +
			' (±' + Math.round(p.coords.accuracy) + ' m)';
		geo.hidden = false;
	}, function () {
		geo.textContent = geo.dataset.none;
		geo.hidden = false;
	}, { maximumAge: 60000, timeout: 15000 });
})();

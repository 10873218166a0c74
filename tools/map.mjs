// Build the map of Africa and Europe that Ponte draws on its pages, from world-atlas.
//
//   node tools/map.mjs node_modules/world-atlas/countries-50m.json \
//        /usr/share/iso-codes/json/iso_3166-1.json > build/gen/map.txt
//
// Output: one line per country, "CC<TAB>English name<TAB>SVG path data", in a viewBox of
// WIDTH x HEIGHT (first line: "viewBox<TAB>W<TAB>H"). Countries are kept when their
// territory reaches into the frame; outlying rings are dropped and the rest clamped to the
// frame. Equirectangular projection scaled for 30°N, Douglas-Peucker simplification: the
// map is a choropleth to tell countries apart, not a survey.
import { readFileSync } from 'node:fs';

const [atlasPath, isoPath] = process.argv.slice(2);
const atlas = JSON.parse(readFileSync(atlasPath, 'utf8'));
const iso = JSON.parse(readFileSync(isoPath, 'utf8'))['3166-1'];
const alpha2 = new Map(iso.map((c) => [c.numeric, c.alpha_2]));

const FRAME = { west: -26, east: 60, north: 72, south: -36 };
const K = 8; // units per degree of latitude
const COS = Math.cos((30 * Math.PI) / 180);
const WIDTH = Math.round((FRAME.east - FRAME.west) * COS * K);
const HEIGHT = Math.round((FRAME.north - FRAME.south) * K);
const EPSILON = 0.7; // simplification tolerance, in units
const MIN_AREA = 1.5; // rings smaller than this (units²) are dropped, except a country's largest

// Decode the delta-encoded, quantised arcs into [lon, lat] points.
const [sx, sy] = atlas.transform.scale;
const [tx, ty] = atlas.transform.translate;
const arcs = atlas.arcs.map((arc) => {
	let x = 0, y = 0;
	return arc.map(([dx, dy]) => {
		x += dx;
		y += dy;
		return [x * sx + tx, y * sy + ty];
	});
});

function ringPoints(indices) {
	const pts = [];
	for (const i of indices) {
		const arc = i >= 0 ? arcs[i] : arcs[~i].slice().reverse();
		arc.forEach((p, k) => { if (k > 0 || pts.length === 0) pts.push(p); });
	}
	return pts;
}

const project = ([lon, lat]) => [(lon - FRAME.west) * COS * K, (FRAME.north - lat) * K];
const clamp = ([x, y]) => [Math.min(Math.max(x, 0), WIDTH), Math.min(Math.max(y, 0), HEIGHT)];

function simplify(pts, eps) {
	if (pts.length < 4) return pts;
	const keep = new Uint8Array(pts.length);
	keep[0] = keep[pts.length - 1] = 1;
	const stack = [[0, pts.length - 1]];
	while (stack.length) {
		const [a, b] = stack.pop();
		const [ax, ay] = pts[a], [bx, by] = pts[b];
		const dx = bx - ax, dy = by - ay, len = Math.hypot(dx, dy);
		let far = -1, dmax = 0;
		for (let i = a + 1; i < b; i++) {
			// A closed ring starts and ends on one point: measure from it.
			const d = len ? Math.abs(dy * pts[i][0] - dx * pts[i][1] + bx * ay - by * ax) / len
				: Math.hypot(pts[i][0] - ax, pts[i][1] - ay);
			if (d > dmax) { dmax = d; far = i; }
		}
		if (dmax > eps) { keep[far] = 1; stack.push([a, far], [far, b]); }
	}
	return pts.filter((_, i) => keep[i]);
}

const area = (pts) => Math.abs(pts.reduce((s, [x, y], i) => {
	const [x2, y2] = pts[(i + 1) % pts.length];
	return s + x * y2 - x2 * y;
}, 0)) / 2;

const inFrame = ([lon, lat]) => lon >= FRAME.west && lon <= FRAME.east && lat >= FRAME.south && lat <= FRAME.north;

const out = [`viewBox\t${WIDTH}\t${HEIGHT}`];
for (const g of atlas.objects.countries.geometries) {
	const code = alpha2.get(g.id);
	if (!code || !g.arcs) continue;
	const polygons = g.type === 'Polygon' ? [g.arcs] : g.arcs;
	let rings = [];
	for (const polygon of polygons) {
		for (const ring of polygon) {
			const pts = ringPoints(ring);
			// A ring counts when a good share of it lies in the frame.
			const inside = pts.filter(inFrame).length;
			if (inside < pts.length * 0.2) continue;
			const projected = simplify(pts.map(project).map(clamp), EPSILON);
			if (projected.length >= 3) rings.push(projected);
		}
	}
	if (!rings.length) continue;
	rings.sort((a, b) => area(b) - area(a));
	rings = rings.filter((r, i) => i === 0 || area(r) >= MIN_AREA);
	// Whole units are fine enough at this scale; repeated points after rounding are dropped.
	const d = rings.map((r) => {
		const pts = r.map(([x, y]) => `${Math.round(x)} ${Math.round(y)}`).filter((p, i, a) => i === 0 || p !== a[i - 1]);
		return pts.length >= 3 ? 'M' + pts.join('L') + 'Z' : '';
	}).join('');
	if (!d) continue;
	out.push(`${code}\t${g.properties.name}\t${d}`);
}
process.stdout.write(out.join('\n') + '\n');

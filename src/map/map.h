/*
 * map.h: a choropleth map of Africa and Europe as inline SVG, drawn on the server.
 *
 * The country outlines come from world-atlas (50m), filtered and simplified at build time by
 * tools/map.mjs into the embedded data/map.txt; no tile server, nothing fetched.
 *
 * Invariants:
 * - The outline data is checked when first used: path data may hold only M, L, Z, digits,
 *   '.', '-' and spaces, so it can never carry markup. Names and labels are HTML-escaped.
 * - Every map has an accessible name (title) and description; each country carries its name
 *   and label as a <title> tooltip. Colours come from CSS classes map-0 (no data) to map-4,
 *   so print styles and high-contrast themes can change them; callers give a data table
 *   beside the map, since a colour is never the only way to read a value.
 */
#ifndef PONTE_MAP_H
#define PONTE_MAP_H

#include "base/buf.h"

typedef struct map_area {
	const char *country; /* ISO 3166-1 alpha-2 */
	int level;           /* 1..4; 0 = no data */
	const char *label;   /* shown with the country's name, e.g. "3 focal points" */
	const char *name;    /* the country's name in the reader's language, or NULL */
} map_area;

/* The name of a country in the reader's language, for the countries no area names (those
 * without data are drawn too, and show their name when pointed at); NULL when unknown. */
typedef const char *(*map_name_fn)(const char *country, const void *ctx);

/* Append <svg>...</svg> to out. id makes the title and description ids unique on a page.
 * Countries are named by their area's name, else by name_of(country, ctx), else (name_of
 * NULL, or no name) in English, as the outline data has them; lang is the language of the
 * page, whose punctuation joins a name and its label ("Niger : 12" in French). */
int map_svg(buf *out, const char *id, const char *title, const char *desc, const map_area *areas,
	    size_t n, map_name_fn name_of, const void *ctx, int lang);
/* Whether the map draws this country (tests; callers list the others in the table only). */
bool map_has_country(const char *country);

#endif

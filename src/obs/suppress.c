/* Small-cell suppression with complementary suppression. */
#include "obs/obs.h"

/* Which group (row, column, table) a cell belongs to. */
static bool same_row(const obs_cell *a, const obs_cell *b)
{
	return strcmp(a->value[0], b->value[0]) == 0;
}

static bool same_column(const obs_cell *a, const obs_cell *b)
{
	return a->value[1] && b->value[1] && strcmp(a->value[1], b->value[1]) == 0;
}

/* In the group of cells[i] (by match), if exactly one cell is withheld, withhold the smallest
 * other one. True when something changed. */
static bool protect(obs_cell *cells, size_t n, size_t i,
		    bool (*match)(const obs_cell *, const obs_cell *))
{
	size_t withheld = 0, smallest = n;
	for (size_t j = 0; j < n; j++) {
		if (!match(&cells[i], &cells[j]))
			continue;
		if (cells[j].suppressed)
			withheld++;
		else if (smallest == n || cells[j].count < cells[smallest].count)
			smallest = j;
	}
	if (withheld != 1 || smallest == n)
		return false; /* safe, or a single-cell group, whose total is withheld with it */
	cells[smallest].suppressed = true;
	return true;
}

static bool whole_table(const obs_cell *a, const obs_cell *b)
{
	(void)a;
	(void)b;
	return true;
}

void obs_suppress(obs_cell *cells, size_t n, bool two_dims, int64_t k)
{
	for (size_t i = 0; i < n; i++)
		cells[i].suppressed = k > 0 && cells[i].count < k;
	if (k <= 0)
		return;
	/* Until nothing changes: every row, column and the whole table holds no withheld cell or
	 * at least two, so no withheld cell is its total minus the published cells. Each pass
	 * withholds at least one more cell, so this ends. */
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			if (!cells[i].suppressed)
				continue;
			changed |= protect(cells, n, i, two_dims ? same_row : whole_table);
			if (two_dims)
				changed |= protect(cells, n, i, same_column);
		}
		if (!two_dims)
			continue;
		for (size_t i = 0; i < n && !changed; i++)
			if (cells[i].suppressed)
				changed |= protect(cells, n, i, whole_table);
	}
}

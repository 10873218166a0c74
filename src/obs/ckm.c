/* The cell key method: the perturbation table and the lookup of a cell's published value.
 *
 * The table is computed once, deterministically, by the maximum-entropy construction of the
 * ptable package (Giessing 2016; Enderle, Giessing & Tent 2018): for an original count i, the
 * published value j ranges over max(0, i - D)..i + D without 1..js, and among the
 * distributions of the noise j - i over that range with mean 0 (and variance V when i > js)
 * the one of greatest entropy is taken. It has the form p(v) proportional to
 * exp(a v + b v^2), so two numbers per row are solved for by Newton's method. Every count of
 * D + js + 1 or more has the same, symmetric row. */
#include <math.h>
#include <pthread.h>

#include "obs/obs.h"

#define ROWS (OBS_CKM_D + OBS_CKM_JS + 2) /* 0 .. D + js + 1 */
#define KEYS 4294967296.0                 /* cell keys are 32-bit: [0, 2^32) */

static obs_ptable_row TABLE[ROWS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The moments of v under p(v) proportional to exp(a v + b v^2); p is written. */
static void moments(const double *v, size_t n, double a, double b, double *p, double m[4])
{
	double top = -INFINITY, z = 0;
	for (size_t k = 0; k < n; k++)
		top = fmax(top, a * v[k] + b * v[k] * v[k]);
	for (size_t k = 0; k < n; k++)
		z += p[k] = exp(a * v[k] + b * v[k] * v[k] - top);
	memset(m, 0, 4 * sizeof(*m));
	for (size_t k = 0; k < n; k++) {
		p[k] /= z;
		double x = p[k];
		for (int e = 0; e < 4; e++)
			m[e] += (x *= v[k]);
	}
}

/* The distribution of greatest entropy over v with mean 0 and, if var, variance V. */
static void maximum_entropy(const double *v, size_t n, bool var, double V, double *p)
{
	double a = 0, b = 0, m[4];
	for (int it = 0; it < 200; it++) {
		moments(v, n, a, b, p, m);
		double g1 = m[0], g2 = var ? m[1] - V : 0;
		if (fabs(g1) < 1e-14 && fabs(g2) < 1e-14)
			break;
		/* The Jacobian of (E v, E v^2) in (a, b) is the covariance matrix of (v, v^2). */
		double j11 = m[1] - m[0] * m[0], j12 = m[2] - m[0] * m[1];
		double j22 = m[3] - m[1] * m[1], da, db;
		if (var) {
			double det = j11 * j22 - j12 * j12;
			da = (j22 * g1 - j12 * g2) / det;
			db = (j11 * g2 - j12 * g1) / det;
		} else {
			da = g1 / j11;
			db = 0;
		}
		/* Damped: halve the step until the residual falls. */
		double before = g1 * g1 + g2 * g2, t = 1, q[2 * OBS_CKM_D + 1], mt[4];
		for (int h = 0; h < 40; h++, t /= 2) {
			moments(v, n, a - t * da, b - t * db, q, mt);
			double r1 = mt[0], r2 = var ? mt[1] - V : 0;
			if (r1 * r1 + r2 * r2 < before)
				break;
		}
		a -= t * da;
		b -= t * db;
	}
	moments(v, n, a, b, p, m);
}

static void build(void)
{
	for (int64_t i = 0; i < ROWS; i++) {
		obs_ptable_row *r = &TABLE[i];
		r->i = i;
		double v[2 * OBS_CKM_D + 1], p[2 * OBS_CKM_D + 1];
		for (int64_t j = i - OBS_CKM_D; i && j <= i + OBS_CKM_D; j++)
			if (j == 0 || j > OBS_CKM_JS) {
				r->j[r->n] = j;
				v[r->n++] = (double)(j - i);
			}
		if (!i) { /* zeros stay zeros */
			r->j[0] = 0;
			r->n = 1;
			p[0] = 1;
		} else {
			maximum_entropy(v, r->n, i > OBS_CKM_JS, OBS_CKM_V, p);
		}
		double cumulative = 0;
		for (size_t k = 0; k < r->n; k++) {
			r->p[k] = p[k];
			r->mean += p[k] * (double)(r->j[k] - i);
			r->variance += p[k] * (double)(r->j[k] - i) * (double)(r->j[k] - i);
			cumulative += p[k];
			/* Keys below upto[k] (and at or above upto[k - 1]) publish j[k]. */
			r->upto[k] =
			    k + 1 == r->n ? (uint64_t)KEYS : (uint64_t)llround(cumulative * KEYS);
		}
	}
}

const obs_ptable_row *obs_ptable(size_t *nrows)
{
	pthread_once(&once, build);
	*nrows = ROWS;
	return TABLE;
}

int64_t obs_ckm_value(int64_t count, uint32_t cell_key)
{
	size_t n;
	const obs_ptable_row *t = obs_ptable(&n);
	if (count <= 0)
		return 0;
	const obs_ptable_row *r = &t[count < (int64_t)n ? count : (int64_t)n - 1];
	size_t k = 0;
	while (k + 1 < r->n && cell_key >= r->upto[k])
		k++;
	return count + (r->j[k] - r->i);
}

/* The analyst of the attack suites (test_obs_attack.c, test_http_observatory.c): what it can
 * infer of a true count from published ones, given the method's parameters and perturbation
 * table, which are public. See test_obs_attack.c for the promise tested. */
#ifndef PONTE_TEST_OBS_ATTACKER_H
#define PONTE_TEST_OBS_ATTACKER_H

#include "unit/testutil.h"

#include "obs/obs.h"

#define K 5 /* the threshold (obs_min_count) */

/* A value as published: 0 for a cell not listed; withheld, listed without its value. */
struct pub {
	int64_t p;
	bool withheld;
};

/* ---- what the attacker can infer ---- */

struct range {
	int64_t lo, hi;
};

/* Whether true count i can be published as j. */
static inline bool possible(int64_t i, int64_t j)
{
	size_t n;
	const obs_ptable_row *t = obs_ptable(&n);
	const obs_ptable_row *r = &t[i < (int64_t)n ? i : (int64_t)n - 1];
	for (size_t k = 0; k < r->n; k++)
		if (r->p[k] > 0 && r->j[k] - r->i + i == j)
			return true;
	return false;
}

/* The true counts a published value allows: withheld stands for any value from 1 to K-1. */
static inline struct range allowed(int64_t p, bool withheld, bool exact)
{
	if (exact)
		return (struct range){ p, p };
	struct range r = { INT64_MAX, -1 };
	for (int64_t q = withheld ? 1 : p; q <= (withheld ? K - 1 : p); q++)
		for (int64_t i = q - OBS_CKM_D < 0 ? 0 : q - OBS_CKM_D; i <= q + OBS_CKM_D; i++)
			if (possible(i, q)) {
				r.lo = i < r.lo ? i : r.lo;
				r.hi = i > r.hi ? i : r.hi;
			}
	return r;
}

/* One target: the intersection of what each way to it allows, and the plain difference. */
struct target {
	struct range known;
	int64_t truth;
	bool have_plain, plain_set;
	int64_t plain;
};

static inline void target_init(struct target *t, int64_t truth, struct pub own, bool exact)
{
	*t = (struct target){ .truth = truth };
	t->known = allowed(own.p, own.withheld, exact);
	if (t->known.lo < 0)
		t->known.lo = 0;
}

/* A way to the target: sum of sign[k] * published[k]. */
struct way {
	struct range r;
	int64_t plain;
	bool plain_ok;
};

static inline void way_start(struct way *w)
{
	*w = (struct way){ .plain_ok = true };
}

static inline void way_add(struct way *w, int sign, struct pub c, bool exact)
{
	int64_t p = c.p;
	bool withheld = c.withheld;
	struct range r = allowed(p, withheld, exact);
	if (sign > 0) {
		w->r.lo += r.lo;
		w->r.hi += r.hi;
	} else {
		w->r.lo -= r.hi;
		w->r.hi -= r.lo;
	}
	w->plain += sign * p;
	w->plain_ok &= !withheld;
}

static inline void target_way(struct target *t, const struct way *w)
{
	t->known.lo = w->r.lo > t->known.lo ? w->r.lo : t->known.lo;
	t->known.hi = w->r.hi < t->known.hi ? w->r.hi : t->known.hi;
	if (w->plain_ok && !t->plain_set) { /* the first plain difference, as issue #15's */
		t->plain = w->plain;
		t->plain_set = t->have_plain = true;
	}
}

struct score {
	const char *attack;
	size_t targets, certain, plain, plain_right;
};

static inline void score(struct score *s, const struct target *t)
{
	/* An empty intersection would mean the attacker's model is wrong: it never is. */
	if (t->known.lo > t->truth || t->known.hi < t->truth)
		fail_msg("%s: the truth %lld is outside [%lld, %lld]", s->attack,
			 (long long)t->truth, (long long)t->known.lo, (long long)t->known.hi);
	s->targets++;
	s->certain += t->known.lo == t->known.hi;
	if (t->have_plain) {
		s->plain++;
		s->plain_right += t->plain == t->truth;
	}
}

static inline void report(const struct score *s, bool exact)
{
	print_message("%-44s %s: %4zu small cells, %3zu recovered with certainty, plain "
		      "difference right for %zu of %zu\n",
		      s->attack, exact ? "exact    " : "protected", s->targets, s->certain,
		      s->plain_right, s->plain);
	assert_true(s->targets >= 10); /* the data has what the attack looks for */
	if (exact) {
		assert_int_equal(s->certain, s->targets);
		return;
	}
	assert_int_equal(s->certain, 0);
	assert_true(s->plain_right * 2 <= s->plain);
}

#endif

/* The services directory: what provider organisations offer, to whom, with how much room. */
#include <ctype.h>

#include "base/utf8.h"
#include "i18n/i18n.h"
#include "i18n/vocab.h"
#include "referral/internal.h"

static const char *const TYPES[] = { "shelter",         "medical",        "psychosocial",
				     "legal_aid",       "interpretation", "education",
				     "livelihood",      "family_tracing", "return_assistance",
				     "child_protection" };

const char *const *service_types(size_t *n)
{
	*n = ARRAY_LEN(TYPES);
	return TYPES;
}

static bool type_known(const char *t)
{
	for (size_t i = 0; t && i < ARRAY_LEN(TYPES); i++)
		if (strcmp(TYPES[i], t) == 0)
			return true;
	return false;
}

/* A comma-separated list of short codes (letters, digits, '_'): no markup, no spaces. */
static bool code_list(const char *s)
{
	for (; s && *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == ','))
			return false;
	return true;
}

static void check(const service_input *in, field_errors *e)
{
	if (!type_known(in->type))
		field_errors_add(e, "type", N_("Choose a type of service from the list."));
	if (!in->name || !*in->name || strlen(in->name) > 200)
		field_errors_add(e, "name",
				 N_("Give the service a name (at most 200 characters)."));
	int lo = in->min_age < 0 ? 0 : in->min_age, hi = in->max_age < 0 ? 120 : in->max_age;
	if (lo > 120 || hi > 120 || lo > hi)
		field_errors_add(e, "max_age", N_("Ages go from 0 to 120, the lowest first."));
	if (!code_list(in->sexes) || !code_list(in->exploitation) ||
	    !code_list(in->nationalities) || !code_list(in->languages))
		field_errors_add(e, "eligibility", N_("Use codes separated by commas."));
	if (in->capacity_free >= 0 && in->capacity >= 0 && in->capacity_free > in->capacity)
		field_errors_add(e, "capacity_free",
				 N_("There cannot be more places free than places."));
}

int service_add(const keyed_store *env, const principal *p, const service_input *in, int64_t *id,
		field_errors *e)
{
	field_errors_clear(e);
	check(in, e);
	organisation org;
	arena a;
	arena_init(&a, 1u << 16);
	int rc = in->organisation && *in->organisation
		     ? org_find(env->db, &a, in->organisation, &org)
		     : org_get(env->db, &a, p->organisation_id, &org);
	if (rc == PONTE_ENOTFOUND) {
		field_errors_add(e, "organisation", N_("No organisation has this code."));
		rc = 0;
	} else if (!rc && !principal_can_see(p, "service.manage", 0, org.id, org.country)) {
		rc = PONTE_EDENIED;
	}
	if (!rc && e->count)
		rc = PONTE_EINVAL;
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_SERVICE_INSERT, &st);
	if (!rc) {
		char now[CLOCK_RFC3339_LEN];
		ref_now(now);
		store_bind_int64(st, 1, org.id);
		store_bind_text(st, 2, in->type, strlen(in->type));
		store_bind_text(st, 3, in->name, strlen(in->name));
		store_bind_int64(st, 4, in->min_age < 0 ? 0 : in->min_age);
		store_bind_int64(st, 5, in->max_age < 0 ? 120 : in->max_age);
		const char *lists[] = { in->sexes,     in->exploitation, in->nationalities,
					in->languages, in->area,         in->opening_hours,
					in->phone,     in->email };
		for (int i = 0; i < 8; i++)
			store_bind_text(st, 6 + i, lists[i] ? lists[i] : "",
					lists[i] ? strlen(lists[i]) : 0);
		if (in->capacity >= 0)
			store_bind_int64(st, 14, in->capacity);
		if (in->capacity_free >= 0)
			store_bind_int64(st, 15, in->capacity_free);
		store_bind_text(st, 16, now, strlen(now));
		rc = store_run(st);
		if (!rc)
			*id = store_last_insert_id(c);
	}
	principal_audit(env->db, p, "service.create", "service", rc ? 0 : *id,
			rc == PONTE_EDENIED ? "denied"
			: rc                ? "failure"
					    : "success",
			false);
	arena_release(&a);
	return rc;
}

static void from_row(arena *a, store_stmt *st, service *s)
{
	s->id = store_col_int64(st, 0);
	s->organisation_id = store_col_int64(st, 1);
	s->version = store_col_int64(st, 2);
	const char **texts[] = { &s->organisation_code,
				 &s->organisation_name,
				 &s->country,
				 &s->type,
				 &s->name,
				 &s->sexes,
				 &s->exploitation,
				 &s->nationalities,
				 &s->languages,
				 &s->area,
				 &s->opening_hours,
				 &s->phone,
				 &s->email,
				 &s->verified_on };
	for (int i = 0; i < 14; i++)
		*texts[i] = ref_text(a, st, 3 + i);
	s->min_age = (int)store_col_int64(st, 17);
	s->max_age = (int)store_col_int64(st, 18);
	s->capacity = (int)store_col_int64(st, 19);
	s->capacity_free = (int)store_col_int64(st, 20);
}

int service_get(const keyed_store *env, arena *a, int64_t id, service *out)
{
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_SERVICE_GET, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, id);
	if ((rc = store_step_one(st)))
		return rc;
	from_row(a, st, out);
	store_reset(st);
	return 0;
}

struct service_order {
	int lang;
	bool arabic_first;
};

struct service_row {
	service s;
	const char *type_name;
};

static int service_by_name(const void *a, const void *b, void *ctx)
{
	const struct service_row *x = a, *y = b;
	const struct service_order *o = ctx;
	int c = utf8_collate_as(x->type_name, y->type_name, o->arabic_first);
	if (!c)
		c = utf8_collate_as(x->s.name, y->s.name, o->arabic_first);
	if (!c)
		c = utf8_collate_as(x->s.organisation_name, y->s.organisation_name,
				    o->arabic_first);
	return c ? c : (x->s.id > y->s.id) - (x->s.id < y->s.id);
}

int service_list(const keyed_store *env, arena *a, const service_filter *f, service_fn fn,
		 void *ctx)
{
	enum { MAX = 500 }; /* the statement's LIMIT */
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_SERVICE_LIST, &st);
	if (rc)
		return rc;
	struct service_row *rows = arena_calloc(a, MAX, sizeof(*rows));
	if (!rows) {
		store_reset(st);
		return PONTE_ENOMEM;
	}
	ref_bind_opt(st, 1, f->type);
	ref_bind_opt(st, 2, f->country);
	if (f->age >= 0)
		store_bind_int64(st, 3, f->age);
	ref_bind_opt(st, 4, f->sex);
	ref_bind_opt(st, 5, f->exploitation);
	ref_bind_opt(st, 6, f->nationality);
	ref_bind_opt(st, 7, f->language);
	store_bind_int64(st, 8, f->with_room);
	size_t n = 0;
	while (n < MAX && (rc = store_step(st)) == STORE_ROW) {
		from_row(a, st, &rows[n].s);
		rows[n].type_name = vocab_label(f->lang, "referral", rows[n].s.type);
		if (!rows[n].s.name || !rows[n].s.organisation_name || !rows[n].type_name) {
			rc = PONTE_ENOMEM;
			break;
		}
		n++;
	}
	store_reset(st);
	if (rc < 0)
		return rc;
	/* Sorted here, not by the database: its order puts "École" after "Zorg", and the names
	 * of the types are in the reader's language. */
	struct service_order order = { f->lang, i18n_arabic_script(i18n_lang(f->lang)->code) };
	if (n)
		qsort_r(rows, n, sizeof(*rows), service_by_name, &order);
	for (size_t i = 0; i < n; i++)
		if ((rc = fn(&rows[i].s, ctx)))
			return rc < 0 ? rc : 0;
	return 0;
}

bool service_may_count_places(const principal *p, const service *s)
{
	return p->organisation_id == s->organisation_id ||
	       principal_can_see(p, "service.manage", 0, s->organisation_id, s->country);
}

int service_count_places(const keyed_store *env, const principal *p, int64_t id, int64_t version,
			 int capacity, int taken, field_errors *e)
{
	field_errors_clear(e);
	arena a;
	arena_init(&a, 1u << 14);
	service s;
	int rc = service_get(env, &a, id, &s);
	if (!rc && !service_may_count_places(p, &s))
		rc = PONTE_EDENIED;
	if (!rc) {
		if (capacity < 0 || capacity > 10000)
			field_errors_add(e, "capacity",
					 N_("Give the number of places, from 0 to 10,000."));
		if (taken < 0)
			field_errors_add(e, "taken",
					 N_("Give the number of places taken, 0 or more."));
		else if (capacity >= 0 && taken > capacity)
			field_errors_add(e, "taken",
					 N_("There cannot be more places taken than places."));
		if (e->count)
			rc = PONTE_EINVAL;
	}
	store_conn *c;
	store_stmt *st;
	if (!rc && !(rc = store_conn_get(env->db, &c)))
		rc = store_prepare(c, SQL_SERVICE_PLACES, &st);
	if (!rc) {
		char now[CLOCK_RFC3339_LEN];
		ref_now(now);
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, capacity);
		store_bind_int64(st, 3, capacity - taken);
		store_bind_text(st, 4, now, strlen(now));
		store_bind_int64(st, 5, version);
		rc = store_step(st);
		store_reset(st);
		rc = rc < 0 ? rc : store_changes(c) == 1 ? 0 : PONTE_ECONFLICT;
	}
	if (rc != PONTE_ENOTFOUND && rc != PONTE_EINVAL)
		principal_audit(env->db, p, "service.places", "service", id,
				rc == PONTE_EDENIED || rc == PONTE_ECONFLICT ? "denied"
				: rc                                         ? "failure"
									     : "success",
				false);
	arena_release(&a);
	return rc;
}

/* Whether the comma-separated lists a and b share a code. */
static bool lists_meet(const char *a, const char *b)
{
	for (const char *p = b; p && *p;) {
		size_t n = strcspn(p, ",");
		for (const char *q = a; q && *q;) {
			size_t m = strcspn(q, ",");
			if (m == n && n && strncmp(p, q, n) == 0)
				return true;
			q += m + (q[m] == ',');
		}
		p += n + (p[n] == ',');
	}
	return false;
}

unsigned service_unsuited(const service *s, const service_person *who)
{
	unsigned why = 0;
	if (who->age >= 0 && (who->age < s->min_age || who->age > s->max_age))
		why |= SERVICE_NOT_AGE;
	if (*s->sexes && who->gender && *who->gender && !lists_meet(s->sexes, who->gender))
		why |= SERVICE_NOT_GENDER;
	if (*s->exploitation && who->exploitation && *who->exploitation &&
	    !lists_meet(s->exploitation, who->exploitation))
		why |= SERVICE_NOT_EXPLOITATION;
	if (*s->nationalities && who->citizenship && *who->citizenship &&
	    !lists_meet(s->nationalities, who->citizenship))
		why |= SERVICE_NOT_NATIONALITY;
	if (s->capacity >= 0 && s->capacity_free <= 0)
		why |= SERVICE_NO_PLACE;
	return why;
}

const char *service_type_for_need(const char *need)
{
	static const struct {
		const char *need, *type;
	} MEETS[] = {
		{ "accommodation", "shelter" },
		{ "food_clothing", "shelter" },
		{ "safety", "shelter" },
		{ "medical", "medical" },
		{ "psychological", "psychosocial" },
		{ "interpretation", "interpretation" },
		{ "legal", "legal_aid" },
		{ "documents", "legal_aid" },
		{ "family_contact", "family_tracing" },
		{ "money", "livelihood" },
		{ "childcare", "child_protection" },
	};
	for (size_t i = 0; need && i < ARRAY_LEN(MEETS); i++)
		if (strcmp(MEETS[i].need, need) == 0)
			return MEETS[i].type;
	return NULL;
}

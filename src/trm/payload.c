/* The payload of a referral offer: written from a case by the sender, and at the recipient
 * checked member by member with the rules of the case file's own input (lengths, codes, dates,
 * ISO countries and languages) and written back the same way, so that what is kept and passed
 * on along a route is exactly what was checked. The members are those of the table in
 * docs/trm-protocol.md. */
#include "base/json.h"
#include "base/json_parse.h"
#include "cases/cases.h"
#include "referral/referral.h"
#include "trm/internal.h"

#define MAX_LIST 32 /* codes in one list member (citizenships, types of exploitation) */

int trm_payload_write(const case_record *c, bool child, const char *categories, const char *basis,
		      int64_t consent_id, buf *b)
{
	int rc = buf_puts(b, "{");
	if (!rc)
		rc = json_field_str(b, true, "legal_basis", basis);
	/* Whether the person is treated as a child travels whatever the categories: the receiving
	 * country must apply the child procedure (ECOWAS) and its protections. */
	if (!rc)
		rc = buf_printf(b, ",\"child\":%s", child ? "true" : "false");
	if (!rc)
		rc = buf_printf(b, ",\"consent\":%lld", (long long)consent_id);
	if (!rc)
		rc = json_field_list(b, false, "categories", categories);
	if (!rc)
		rc = buf_putc(b, ',');
	/* The person as the categories show it, in the shape of every answer about a case. */
	if (!rc)
		rc = case_write_json(b, c, case_parts_of(categories));
	return rc ? rc : buf_puts(b, "}");
}

/* ---- reading one back ---- */

/* A member of person or victim as case_write_json writes it: its category, its kind, where it
 * goes. */
typedef enum member_kind {
	M_TEXT, /* a string */
	M_LIST, /* an array of codes */
	M_DATE, /* a date or null */
	M_AGE,  /* a whole number of years or null */
} member_kind;
typedef struct member {
	const char *name, *category;
	member_kind kind;
	size_t offset; /* of the const char * in case_record (M_AGE: unused) */
} member;

#define AT(f) offsetof(case_record, f)
static const member PERSON[] = {
	{ "prs_FirstName", "identity", M_TEXT, AT(first_name) },
	{ "prs_SecondName", "identity", M_TEXT, AT(second_name) },
	{ "prs_Gender", "identity", M_TEXT, AT(gender) },
	{ "prs_Birthdate", "identity", M_DATE, AT(birthdate) },
	{ "estimated_age", "identity", M_AGE, 0 },
	{ "prs_Citizenship", "identity", M_LIST, AT(citizenship) },
	{ "prs_PrimaryLanguage", "identity", M_TEXT, AT(primary_language) },
	{ "prs_MobilePhone", "contact", M_TEXT, AT(mobile_phone) },
	{ "prs_IdentityNumber", "documents", M_TEXT, AT(identity_number) },
};
static const member VICTIM[] = {
	{ "vic_TraffickingStatus", "victim", M_TEXT, AT(trafficking_status) },
	{ "vic_TypeOfExploitation", "victim", M_LIST, AT(exploitation) },
	{ "vic_MethodsOfControl", "victim", M_LIST, AT(control) },
};
#undef AT

/* The members of the offer itself, in the order of the table of docs/trm-protocol.md. */
static const char *const TOP[] = { "legal_basis", "consent", "child",
				   "categories",  "person",  "victim" };

const char *const *trm_offer_members(size_t *n)
{
	*n = ARRAY_LEN(TOP);
	return TOP;
}

static const char **slot(case_record *c, const member *m)
{
	return (const char **)(void *)((char *)c + m->offset);
}

/* A JSON string as C text: refused when it holds a NUL (it would not read back the same). */
static const char *text_of(const json_value *v)
{
	return v->type == JSON_STRING && strlen(v->string) == v->length ? v->string : NULL;
}

/* An array of codes as "a,b": each a non-empty string without a comma. */
static const char *csv_of(arena *a, const json_value *v)
{
	if (v->type != JSON_ARRAY || v->length > MAX_LIST)
		return NULL;
	buf b;
	buf_init(&b, 4096);
	bool ok = true;
	for (size_t i = 0; ok && i < v->length; i++) {
		const char *s = text_of(v->items[i]);
		ok = s && *s && !strchr(s, ',') && !buf_printf(&b, "%s%s", i ? "," : "", s);
	}
	const char *out = ok ? arena_strdup(a, b.data ? b.data : "") : NULL;
	buf_release(&b);
	return out;
}

/* Read an object of members (person or victim) into c; each member once, of a category
 * carried. */
static bool read_members(arena *a, const json_value *obj, const member *ms, size_t n,
			 const char *categories, case_record *c, const char **field)
{
	if (obj->type != JSON_OBJECT)
		return false;
	bool seen[16] = { false };
	for (size_t i = 0; i < obj->length; i++) {
		size_t k = 0;
		while (k < n && strcmp(ms[k].name, obj->keys[i]) != 0)
			k++;
		if (k == n || seen[k] || !trm_listed(categories, ms[k].category)) {
			*field = k == n ? NULL : ms[k].name;
			return false;
		}
		seen[k] = true;
		const json_value *x = obj->items[i];
		if (ms[k].kind == M_AGE) {
			/* What the case file keeps: a whole number of years, checked below. */
			if (x->type == JSON_NULL)
				continue;
			if (x->type != JSON_NUMBER || x->number < 0 || x->number > 1000 ||
			    x->number != (double)(int)x->number) {
				*field = ms[k].name;
				return false;
			}
			c->estimated_age = (int)x->number;
			continue;
		}
		const char *v = ms[k].kind == M_LIST                           ? csv_of(a, x)
				: ms[k].kind == M_DATE && x->type == JSON_NULL ? ""
									       : text_of(x);
		if (!v) {
			*field = ms[k].name;
			return false;
		}
		*slot(c, &ms[k]) = v;
	}
	return true;
}

int trm_offer_check(store *db, const char *json, size_t n, buf *out, char basis_out[32],
		    const char **field, const char **why)
{
	*field = NULL;
	*why = "a referral offer carries legal_basis, consent, child, categories, person, and "
	       "victim with that category, nothing else";
	arena a;
	arena_init(&a, TRM_MAX_BODY * 2);
	json_value *v;
	char err[64];
	int rc = PONTE_EINVAL;
	if (json_parse(&a, json, n, &v, err, sizeof(err)) || v->type != JSON_OBJECT) {
		*field = "payload";
		goto out;
	}
	const json_value *top[ARRAY_LEN(TOP)] = { NULL };
	for (size_t i = 0; i < v->length; i++) {
		size_t k = 0;
		while (k < ARRAY_LEN(TOP) && strcmp(TOP[k], v->keys[i]) != 0)
			k++;
		if (k == ARRAY_LEN(TOP) || top[k]) {
			*field = "payload"; /* a member unknown, or twice */
			goto out;
		}
		top[k] = v->items[i];
	}
	const json_value *basis = top[0], *number = top[1], *child = top[2], *cats = top[3],
			 *person = top[4], *victim = top[5];
	const char *categories = cats ? csv_of(&a, cats) : NULL;
	/* The consent's number: a positive integer as the sender's database gives it. */
	bool consent_ok = number && number->type == JSON_NUMBER && number->number >= 1 &&
			  number->number <= 9007199254740991.0 &&
			  number->number == (double)(int64_t)number->number;
	/* Each member required by the table, of its type, in the order of the table. */
	*field = !basis || !text_of(basis) || !ref_legal_basis_valid(basis->string) ? "legal_basis"
		 : !consent_ok                                                      ? "consent"
		 : !child || child->type != JSON_BOOL                               ? "child"
		 : !categories || !ref_categories_valid(categories)                 ? "categories"
		 : !person                                                          ? "person"
										    : NULL;
	if (*field)
		goto out;
	/* Each category once. */
	for (const char *s = categories; *s;) {
		size_t len = strcspn(s, ",");
		const char *rest = s + len + (s[len] == ',');
		char item[16];
		snprintf(item, sizeof(item), "%.*s", (int)len, s);
		if (trm_listed(rest, item)) {
			*field = "categories";
			goto out;
		}
		s = rest;
	}
	if ((victim != NULL) != trm_listed(categories, "victim")) {
		*field = "victim";
		goto out;
	}
	case_record c = { .first_name = "",
			  .second_name = "",
			  .gender = "",
			  .birthdate = "",
			  .citizenship = "",
			  .primary_language = "",
			  .mobile_phone = "",
			  .identity_number = "",
			  .trafficking_status = "",
			  .exploitation = "",
			  .control = "",
			  .estimated_age = -1 };
	const char *which = NULL;
	if (!read_members(&a, person, PERSON, ARRAY_LEN(PERSON), categories, &c, &which) ||
	    (victim &&
	     !read_members(&a, victim, VICTIM, ARRAY_LEN(VICTIM), categories, &c, &which))) {
		*field = which                                   ? which
			 : victim && victim->type != JSON_OBJECT ? "victim"
								 : "person";
		goto out;
	}
	/* The rules of the case file's own input: the same codes, lengths and dates. */
	char age[16] = "";
	if (c.estimated_age >= 0)
		snprintf(age, sizeof(age), "%d", c.estimated_age);
	case_input in = { .first_name = c.first_name,
			  .estimated_age = age,
			  .second_name = c.second_name,
			  .identity_number = c.identity_number,
			  .mobile_phone = c.mobile_phone,
			  .gender = *c.gender ? c.gender : NULL,
			  .birthdate = c.birthdate,
			  .citizenship = c.citizenship,
			  .primary_language = c.primary_language,
			  .trafficking_status = *c.trafficking_status ? c.trafficking_status : NULL,
			  .exploitation = c.exploitation,
			  .control = c.control };
	field_errors errors;
	if (!case_validate(db, &in, false, &errors)) {
		if (errors.failed) { /* not the offer's fault: the check could not be made */
			rc = errors.failed;
			*why = NULL;
			goto out;
		}
		*field = errors.items[0].field;
		*why = errors.items[0].message;
		goto out;
	}
	*why = NULL;
	snprintf(basis_out, 32, "%s", basis->string);
	rc = trm_payload_write(&c, child->boolean, categories, basis->string,
			       (int64_t)number->number, out);
out:
	arena_release(&a);
	return rc;
}

int trm_offer_normalise(store *db, const char *json, size_t n, buf *out, const char **field,
			const char **why)
{
	char basis[32];
	return trm_offer_check(db, json, n, out, basis, field, why);
}
